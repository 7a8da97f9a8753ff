package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ShellTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @TempDir Path dir;

  /**
   * Feeds {@code input} to a shell on a dumb terminal and returns everything it wrote. (JLine's
   * {@code TerminalBuilder} with streams builds a pseudo-terminal whose copying threads race with
   * the end of piped input, so the dumb terminal is made directly.)
   */
  private String shell(String input, Path history) throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (Connection connection = db.connect();
        Terminal terminal =
            new DumbTerminal(
                "test",
                Terminal.TYPE_DUMB,
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                output,
                StandardCharsets.UTF_8)) {
      new Shell(connection, terminal, history, null).run();
    }
    return output.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  @Test
  void executesStatementsSpanningLinesUntilQuit() throws Exception {
    Path history = dir.resolve("history");
    String output =
        shell(
            "CREATE TABLE pets (id int, name text);\n"
                + "INSERT INTO pets VALUES (1, 'Rex'),\n"
                + "  (2, 'semi;colon');  SELECT name\n"
                + "FROM pets ORDER BY id;\n"
                + "\\q\n"
                + "SELECT 'after quit' AS never;\n",
            history);

    assertThat(output)
        .contains("CREATE TABLE\n")
        .contains("INSERT 0 2\n")
        .contains("    name    \n------------\n Rex\n semi;colon\n(2 rows)\n")
        .doesNotContain("never");
    assertThat(Files.readString(history))
        .contains("(2, 'semi;colon');  SELECT name")
        .contains("FROM pets ORDER BY id;");
  }

  @Test
  void describesRelationsAndKeepsGoingAfterErrors() throws Exception {
    String output =
        shell(
            "CREATE TABLE owners (id int PRIMARY KEY, name text NOT NULL DEFAULT 'anon');\n"
                + "CREATE VIEW owner_names AS SELECT name FROM owners;\n"
                + "SELECT * FROM no_such_table;\n"
                + "\\d\n"
                + "\\d owners\n"
                + "\\d nothing_here\n"
                + "\\?\n"
                + "\\x\n",
            dir.resolve("history"));

    assertThat(output)
        .contains("ERROR: relation \"no_such_table\" does not exist")
        .contains("List of relations")
        .containsPattern(" public +\\| owners +\\| table +\\| " + PostgresFixture.APP_ROLE)
        .containsPattern(" public +\\| owner_names +\\| view +\\| " + PostgresFixture.APP_ROLE)
        .contains("Table \"public.owners\"")
        .containsPattern(" id +\\| integer +\\| not null +\\| \n")
        .containsPattern(" name +\\| text +\\| not null +\\| 'anon'::text\n")
        .contains("Did not find any relation named \"nothing_here\".")
        .contains("\\d NAME")
        .contains("invalid command \\x. Try \\? for help.");
  }

  @Test
  void marksStreamTablesListedInTheTrickleCatalog() throws Exception {
    try (Connection plain = db.connectPlain();
        java.sql.Statement statement = plain.createStatement()) {
      // the catalog's identifying columns only, as a stand-in until stream tables can be created
      statement.execute("CREATE SCHEMA pgtrickle");
      statement.execute(
          "CREATE TABLE pgtrickle.pgt_stream_tables (pgt_schema text, pgt_name text)");
      statement.execute("CREATE TABLE public.dept_stats (dept int, headcount bigint)");
      statement.execute("INSERT INTO pgtrickle.pgt_stream_tables VALUES ('public', 'dept_stats')");
    }

    String output = shell("\\d\n\\d dept_stats\n", dir.resolve("history"));

    assertThat(output)
        .containsPattern(" public +\\| dept_stats +\\| stream table +\\| ")
        .contains("Stream table \"public.dept_stats\"")
        .containsPattern(" headcount +\\| bigint +\\| ");
  }
}

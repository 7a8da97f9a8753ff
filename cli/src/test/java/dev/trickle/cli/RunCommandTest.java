package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @TempDir Path dir;

  private static Outcome trickle(String... args) {
    return Outcome.of(args);
  }

  private Outcome run(Path script, String url) {
    List<String> args = new ArrayList<>(List.of("run", script.toString(), "--url", url));
    args.addAll(
        List.of(
            "--user", db.appCredentials().getProperty("user"),
            "--password", db.appCredentials().getProperty("password")));
    return trickle(args.toArray(String[]::new));
  }

  private Path script(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void printsEveryResultLikePsql() throws IOException {
    Path script =
        script(
            "employees.sql",
            "-- a small script\n"
                + "CREATE TABLE employees (id int PRIMARY KEY, name text, salary numeric(10,2));\n"
                + "INSERT INTO employees VALUES (1, 'Alice', 120000), (2, 'Bob', NULL),\n"
                + "  (10, 'Charlotte', 95000.5);\n"
                + "SELECT * FROM employees ORDER BY id;\n"
                + "UPDATE employees SET salary = 1 WHERE id > 1;\n"
                + "SELECT count(*) AS n FROM employees WHERE name = 'nobody';\n"
                + "DROP TABLE employees");

    Outcome outcome = run(script, db.trickleUrl());

    assertThat(outcome.err()).isEmpty();
    assertThat(outcome.status()).isZero();
    assertThat(outcome.out())
        .isEqualTo(
            "CREATE TABLE\n"
                + "INSERT 0 3\n"
                + " id |   name    |  salary   \n"
                + "----+-----------+-----------\n"
                + "  1 | Alice     | 120000.00\n"
                + "  2 | Bob       |          \n"
                + " 10 | Charlotte |  95000.50\n"
                + "(3 rows)\n"
                + "\n"
                + "UPDATE 2\n"
                + " n \n"
                + "---\n"
                + " 0\n"
                + "(1 row)\n"
                + "\n"
                + "DROP TABLE\n");
  }

  @Test
  void stopsAtTheFirstErrorAndSaysWhereItsStatementStarts() throws IOException {
    Path script =
        script(
            "failing.sql",
            "CREATE TABLE t (id int);\n"
                + "INSERT INTO t VALUES (1);\n"
                + "SELECT 1 AS ok; SELECT * FROM t\n"
                + "  JOIN missing_table USING (id);\n"
                + "SELECT 'not reached' AS later;\n");

    Outcome outcome = run(script, db.trickleUrl());

    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.out())
        .startsWith("CREATE TABLE\nINSERT 0 1\n ok \n")
        .doesNotContain("later");
    assertThat(outcome.err())
        .isEqualTo(
            "ERROR: relation \"missing_table\" does not exist\n" + "at " + script + ":3:17\n");
  }

  @Test
  void printsWarningsAndNoticesBeforeTheResult() throws IOException {
    Path script =
        script(
            "notices.sql",
            "DO $$BEGIN RAISE WARNING 'careful: %', 42; RAISE NOTICE 'just so you know'; END$$;\n"
                + "DO $$BEGIN RAISE NOTICE 'before the failure'; PERFORM 1 / 0; END$$;\n");

    Outcome outcome = run(script, db.trickleUrl());

    assertThat(outcome.out()).isEqualTo("DO\n");
    assertThat(outcome.err())
        .startsWith(
            "WARNING:  careful: 42\n"
                + "NOTICE:  just so you know\n"
                + "NOTICE:  before the failure\n"
                + "ERROR: division by zero\n")
        .endsWith("at " + script + ":2:1\n");
    assertThat(outcome.status()).isEqualTo(1);
  }

  @Test
  void aScriptsBeginAndRollbackUndoStreamTableCommands() throws IOException {
    Path script =
        script(
            "transaction.sql",
            "CREATE EXTENSION IF NOT EXISTS pg_trickle;\n"
                + "CREATE TABLE tx_src (id int PRIMARY KEY, v int);\n"
                + "INSERT INTO tx_src VALUES (1, 10), (2, NULL);\n"
                + "BEGIN;\n"
                + "CREATE STREAM TABLE tx_st AS SELECT id, v FROM tx_src;\n"
                + "ROLLBACK;\n"
                + "SELECT to_regclass('tx_st') IS NULL AS rolled_back;\n"
                + "START TRANSACTION;\n"
                + "SAVEPOINT before_create;\n"
                + "SELECT pgtrickle.create_stream_table('tx_st', 'SELECT id, v FROM tx_src');\n"
                + "ROLLBACK TO SAVEPOINT before_create;\n"
                + "COMMIT;\n"
                + "SELECT to_regclass('tx_st') IS NULL AS rolled_back_to_savepoint;\n"
                + "BEGIN;\n"
                + "CREATE STREAM TABLE tx_st AS SELECT id, v FROM tx_src;\n"
                + "COMMIT;\n"
                + "SELECT count(*) AS kept FROM tx_st;\n"
                + "DROP STREAM TABLE tx_st;\n"
                + "DROP TABLE tx_src");

    Outcome outcome = run(script, db.trickleUrl());

    assertThat(outcome.err()).isEmpty();
    assertThat(outcome.status()).isZero();
    assertThat(outcome.out())
        .containsPattern(" rolled_back \\n-+\\n t *\\n")
        .containsPattern(" rolled_back_to_savepoint \\n-+\\n t *\\n")
        .containsPattern(" kept \\n-+\\n +2 *\\n");
  }

  @Test
  void acceptsPgJdbcAndLibpqUrls() throws IOException {
    Path script = script("who.sql", "SELECT current_user AS who;");
    String hostPortDb = db.plainUrl().substring("jdbc:postgresql://".length());

    Outcome pgjdbc = run(script, db.plainUrl());
    Outcome libpq =
        trickle(
            "run",
            script.toString(),
            "--url",
            "postgresql://"
                + PostgresFixture.APP_ROLE
                + ":"
                + PostgresFixture.APP_PASSWORD
                + "@"
                + hostPortDb);

    for (Outcome outcome : List.of(pgjdbc, libpq)) {
      assertThat(outcome.status()).isZero();
      assertThat(outcome.out()).contains(" " + PostgresFixture.APP_ROLE + "\n(1 row)");
    }
  }

  @Test
  void reportsAMissingScriptOrUnusableUrl() throws IOException {
    Outcome missing = run(dir.resolve("nope.sql"), db.trickleUrl());
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("ERROR: cannot read " + dir.resolve("nope.sql") + ": no such file\n");

    Outcome badUrl =
        trickle(
            "run", script("x.sql", "SELECT 1;").toString(), "--url", "mysql://root:secret@db/app");
    assertThat(badUrl.status()).isEqualTo(1);
    assertThat(badUrl.err())
        .startsWith("ERROR: unsupported connection URL 'mysql://...'")
        .doesNotContain("secret");
  }

  @Test
  void namesNoSubcommandIsAUsageError() {
    Outcome outcome = trickle();

    assertThat(outcome.status()).isEqualTo(2);
    assertThat(outcome.err()).contains("Missing subcommand").contains("shell").contains("run");
  }
}

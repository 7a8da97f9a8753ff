package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long statements show a progress line: the initial population of a slow stream table in {@code
 * trickle run}, and a refresh (with its storage table's size) in place, as the shell shows it.
 * The slow query calls a function sleeping 0.1 s per row, so it takes seconds whatever the load.
 */
class ProgressLineTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @TempDir Path dir;

  private static final String SETUP =
      "CREATE EXTENSION IF NOT EXISTS pg_trickle;\n"
          + "CREATE OR REPLACE FUNCTION slowly(v int) RETURNS int LANGUAGE sql VOLATILE"
          + " AS 'SELECT v FROM pg_sleep(0.1)';\n";

  @Test
  void runShowsThePopulationOfASlowStreamTable() throws IOException {
    Path script =
        Files.writeString(
            dir.resolve("slow.sql"),
            SETUP
                + "CREATE TABLE big (id int PRIMARY KEY);\n"
                + "INSERT INTO big SELECT generate_series(1, 40);\n"
                + "CREATE STREAM TABLE slow AS SELECT slowly(id) AS id FROM big;\n"
                + "SELECT count(*) FROM slow;\n");
    Outcome outcome =
        Outcome.of(
            "run", script.toString(),
            "--url", db.trickleUrl(),
            "--user", PostgresFixture.APP_ROLE,
            "--password", PostgresFixture.APP_PASSWORD);
    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(outcome.err())
        .containsPattern("(?m)^\\.\\.\\. populating slow: \\d+ s, server (active|idle in transaction)");
    assertThat(outcome.out()).contains(" 40\n");
  }

  @Test
  void aLongRefreshShowsTheStorageTableInPlace() throws Exception {
    Properties noScheduler = new Properties();
    noScheduler.setProperty("trickle.scheduler", "false");
    try (Connection c = db.connect(noScheduler)) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      StatementExecutor executor =
          new StatementExecutor(
              c,
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              () -> db.connect(noScheduler),
              new ProgressLine.Pacing(Duration.ofMillis(100), Duration.ofMillis(100), true));
      for (String sql : SETUP.split(";\n")) {
        executor.execute(sql);
      }
      executor.execute("CREATE TABLE few (id int PRIMARY KEY)");
      executor.execute("INSERT INTO few SELECT generate_series(1, 10)");
      executor.execute("CREATE STREAM TABLE few_slow WITH (refresh_mode = 'FULL') AS"
          + " SELECT slowly(id) AS id FROM few");
      executor.execute("INSERT INTO few VALUES (11)");
      err.getBuffer().setLength(0);
      executor.execute("SELECT pgtrickle.refresh_stream_table('few_slow')");
      String shown = err.toString();
      assertThat(shown).contains("\r... refreshing few_slow: ").contains(", storage ");
      assertThat(shown).as("cleared at the end").endsWith("\r");
      assertThat(shown.substring(shown.lastIndexOf('\r', shown.length() - 2) + 1).strip())
          .isEmpty();
    }
  }
}

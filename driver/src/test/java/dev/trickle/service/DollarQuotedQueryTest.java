package dev.trickle.service;

import static dev.trickle.testing.StreamTableChecks.difference;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A valid query whose text holds dollar-quoted strings, including ones tagged like the driver's own
 * generated code ({@code $pgt$}, {@code $pgt1$}, {@code $__pgt_refresh$}), works in every mode and
 * every API form: the driver quotes generated bodies with a tag that does not occur in them.
 */
class DollarQuotedQueryTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY =
      "SELECT id, v || $pgt$a$pgt$ || $pgt1$'b'$pgt1$ || $__pgt_refresh$c$__pgt_refresh$ || $x$$pgt$$x$ AS w"
          + " FROM dq WHERE v <> $$-$$";

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "dq_full_call, FULL, call",
    "dq_diff_call, DIFFERENTIAL, call",
    "dq_imm_call, IMMEDIATE, call",
    "dq_auto_ddl, AUTO, ddl",
    "dq_diff_ddl, DIFFERENTIAL, ddl"
  })
  void queriesWithDollarQuotedTextWork(String name, String mode, String form) throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE IF NOT EXISTS dq (id int PRIMARY KEY, v text)");
      s.execute("INSERT INTO dq VALUES (1, 'a'), (2, '-') ON CONFLICT DO NOTHING");
      if (form.equals("call")) {
        s.execute("SELECT pgtrickle.create_stream_table('" + name + "', $q$" + QUERY
            + "$q$, refresh_mode => '" + mode + "')");
      } else {
        s.execute("CREATE STREAM TABLE " + name + " WITH (refresh_mode = '" + mode + "') AS " + QUERY);
      }
      assertThat(difference(s, name, QUERY)).isZero();
      for (int round = 0; round < 3; round++) {
        s.execute("INSERT INTO dq VALUES (" + (10 + round) + ", 'r" + round + "') ON CONFLICT DO NOTHING");
        s.execute("UPDATE dq SET v = v || 'x' WHERE id = 1");
        s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
        assertThat(difference(s, name, QUERY)).as("%s round %d", name, round).isZero();
      }
      s.execute("SELECT pgtrickle.alter_stream_table('" + name + "', query => $q$" + QUERY
          + " AND id > 0$q$)");
      assertThat(difference(s, name, QUERY + " AND id > 0")).isZero();
      s.execute("SELECT pgtrickle.drop_stream_table('" + name + "')");
    }
  }
}

package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quotes, spaces, upper case and non-ASCII letters in schema, table, column and stream-table
 * names survive every generated statement of differential and IMMEDIATE maintenance.
 */
class OddIdentifiersTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void differentialAndImmediateMaintenanceQuoteEveryName() throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION pg_trickle");
      st.execute("CREATE SCHEMA \"Odd \"\"Schema\"\"\"");
      st.execute("CREATE TABLE \"Odd \"\"Schema\"\"\".\"Bücher Liste\" (\"Id\" int PRIMARY KEY,"
          + " \"Spalte B\" text, \"Größe\" int)");
      st.execute("CREATE TABLE \"Odd \"\"Schema\"\"\".\"Autoren\" (\"Id\" int PRIMARY KEY, \"Name\" text)");
      st.execute("INSERT INTO \"Odd \"\"Schema\"\"\".\"Bücher Liste\" VALUES (1, 'a', 10), (2, 'b', 20), (3, 'a', 5)");
      st.execute("INSERT INTO \"Odd \"\"Schema\"\"\".\"Autoren\" VALUES (1, 'Ann'), (2, 'Bo')");
      String query = "SELECT b.\"Spalte B\", a.\"Name\", sum(b.\"Größe\") AS \"Σ Größe\", count(*) AS \"N\""
          + " FROM \"Odd \"\"Schema\"\"\".\"Bücher Liste\" b JOIN \"Odd \"\"Schema\"\"\".\"Autoren\" a"
          + " ON a.\"Id\" = b.\"Id\" GROUP BY b.\"Spalte B\", a.\"Name\"";
      st.execute("SELECT pgtrickle.create_stream_table(name => '\"Odd \"\"Schema\"\"\".\"Stream Tabelle\"',"
          + " query => $$" + query + "$$, refresh_mode => 'DIFFERENTIAL')");
      st.execute("SELECT pgtrickle.create_stream_table(name => '\"Odd \"\"Schema\"\"\".\"Live Ä\"',"
          + " query => $$" + query + "$$, refresh_mode => 'IMMEDIATE')");
      st.execute("UPDATE \"Odd \"\"Schema\"\"\".\"Bücher Liste\" SET \"Größe\" = 7, \"Spalte B\" = 'c' WHERE \"Id\" = 1");
      st.execute("INSERT INTO \"Odd \"\"Schema\"\"\".\"Autoren\" VALUES (3, 'Cy')");
      st.execute("INSERT INTO \"Odd \"\"Schema\"\"\".\"Bücher Liste\" VALUES (4, 'd', 1)");
      st.execute("DELETE FROM \"Odd \"\"Schema\"\"\".\"Autoren\" WHERE \"Id\" = 2");
      st.execute("REFRESH STREAM TABLE \"Odd \"\"Schema\"\"\".\"Stream Tabelle\"");
      for (String table : new String[] {"\"Stream Tabelle\"", "\"Live Ä\""}) {
        try (ResultSet rs =
            st.executeQuery("SELECT (SELECT count(*) FROM ((TABLE \"Odd \"\"Schema\"\"\"." + table + ") EXCEPT ALL ("
                + query + ")) x) + (SELECT count(*) FROM ((" + query + ") EXCEPT ALL (TABLE \"Odd \"\"Schema\"\"\"."
                + table + ")) y)")) {
          rs.next();
          assertThat(rs.getLong(1)).as(table).isZero();
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT action FROM pgtrickle.get_refresh_history("
          + "'\"Odd \"\"Schema\"\"\".\"Stream Tabelle\"', 1)")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("DIFFERENTIAL");
      }
    }
  }
}

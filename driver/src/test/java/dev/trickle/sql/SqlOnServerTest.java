package dev.trickle.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL reads what {@link Sql} prints as the value or name it was given: literals under both
 * settings of {@code standard_conforming_strings}, dollar-quoted bodies, and identifiers of tables
 * it creates, over seeded random strings of the characters that break quoting.
 */
class SqlOnServerTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final long SEED = 61206L;
  private static final int CASES = 300;
  private static final String ALPHABET = "'\"\\$$pgt1E e\n-/*;xÄ€";

  @Test
  void literalsMeanTheirValueWhateverStandardConformingStringsIs() throws SQLException {
    for (String setting : new String[] {"on", "off"}) {
      Random random = new Random(SEED);
      try (Connection c = db.connectPlain();
          Statement st = c.createStatement()) {
        st.execute("SET standard_conforming_strings = " + setting);
        st.execute("SET escape_string_warning = off");
        for (int i = 0; i < CASES; i++) {
          String value = randomText(random, 16);
          assertThat(valueOf(st, "SELECT " + Sql.literal(value))).as(setting + ": " + value).isEqualTo(value);
        }
      }
    }
  }

  @Test
  void aPlainLiteralWithABackslashWouldChangeMeaningWhenTheSettingIsOff() throws SQLException {
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      st.execute("SET standard_conforming_strings = off");
      st.execute("SET escape_string_warning = off");
      assertThat(valueOf(st, "SELECT 'a\\tb'")).isEqualTo("a\tb");
      assertThat(valueOf(st, "SELECT " + Sql.literal("a\\tb"))).isEqualTo("a\\tb");
    }
  }

  @Test
  void dollarQuotedBodiesArePassedVerbatim() throws SQLException {
    Random random = new Random(SEED + 1);
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      for (int i = 0; i < CASES; i++) {
        String body = randomText(random, 16);
        assertThat(valueOf(st, "SELECT " + Sql.dollarQuoted(body))).as(body).isEqualTo(body);
      }
      assertThat(valueOf(st, "SELECT " + Sql.dollarQuoted("x$pgt"))).isEqualTo("x$pgt");
    }
  }

  @Test
  void identifiersNameTheRelationsTheyCreate() throws SQLException {
    Random random = new Random(SEED + 2);
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      for (int i = 0; i < CASES / 3; i++) {
        String name = "t" + i + randomText(random, 12);
        st.execute("CREATE TEMP TABLE " + Sql.identifier(name) + " (" + Sql.identifier(name) + " int)");
        assertThat(valueOf(st, "SELECT relname FROM pg_class WHERE oid = "
                + Sql.literal(Sql.qualified("pg_temp", name)) + "::regclass"))
            .as(name)
            .isEqualTo(name);
        assertThat(valueOf(st, "SELECT attname FROM pg_attribute WHERE attnum = 1 AND attrelid = "
                + Sql.literal("pg_temp." + Sql.display(name)) + "::regclass"))
            .as(name)
            .isEqualTo(name);
      }
    }
  }

  private static String valueOf(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String randomText(Random random, int maxLength) {
    int length = random.nextInt(maxLength);
    StringBuilder text = new StringBuilder(length);
    for (int k = 0; k < length; k++) {
      text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return text.toString();
  }
}

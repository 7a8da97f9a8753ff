package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Names parse as PostgreSQL's {@code parse_ident} does. */
class RelationNameTest {
  @Test
  void unquotedPartsFoldToLowerCaseAsciiOnly() throws SQLException {
    assertThat(RelationName.parse("Orders")).isEqualTo(new RelationName(null, "orders"));
    assertThat(RelationName.parse(" App . Orders_2$ ")).isEqualTo(new RelationName("app", "orders_2$"));
    assertThat(RelationName.parse("CAFÉ")).isEqualTo(new RelationName(null, "cafÉ"));
  }

  @Test
  void quotedPartsAreKeptAsWritten() throws SQLException {
    assertThat(RelationName.parse("\"My Schema\".\"Big \"\"T\"\"\""))
        .isEqualTo(new RelationName("My Schema", "Big \"T\""));
    assertThat(RelationName.parse("\"a.b\"")).isEqualTo(new RelationName(null, "a.b"));
    assertThat(new RelationName("My Schema", "t").display()).isEqualTo("\"My Schema\".t");
  }

  @Test
  void invalidNamesAre22023() {
    assertFails(() -> RelationName.parse(""), "22023", "expected a name");
    assertFails(() -> RelationName.parse("a..b"), "22023", "expected a name at position 3");
    assertFails(() -> RelationName.parse("1abc"), "22023", "expected a name");
    assertFails(() -> RelationName.parse("a.b.c"), "22023", "use name or schema.name");
    assertFails(() -> RelationName.parse("\"\""), "22023", "empty");
    assertFails(() -> RelationName.parse("x".repeat(64)), "22023", "longer than 63 bytes");
    assertFails(() -> RelationName.parse(null), "22023", "must not be NULL");
  }
}

package dev.trickle.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which types {@link ValueIdentity} groups by value, as {@code format_type} prints them. */
class ValueIdentityTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "integer", "bigint", "date", "uuid", "timestamp with time zone", "numeric(15,2)",
        "numeric(5)", "numeric(5,-2)", "character(25)", "timestamp(3) without time zone",
        "timestamp(0) with time zone", "time(6) without time zone", "NUMERIC(8,2)"
      })
  void exactTypesAreGroupedByValue(String type) {
    assertThat(ValueIdentity.byValue(type)).isTrue();
    assertThat(ValueIdentity.groupKey("v", type)).isEqualTo("v");
    assertThat(ValueIdentity.groupValue("v", type)).isEqualTo("v");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "numeric", "character", "bpchar", "text", "character varying(44)", "double precision",
        "interval", "interval(2)", "time(3) with time zone", "json", "numeric[]",
        "numeric(15,2)[]", "character(3)[]", "citext"
      })
  void coarserOrMissingEqualityGroupsByText(String type) {
    assertThat(ValueIdentity.byValue(type)).isFalse();
    assertThat(ValueIdentity.groupKey("v", type)).isEqualTo("v::text COLLATE \"C\"");
    assertThat(ValueIdentity.groupValue("v", type)).isEqualTo("min(v::text COLLATE \"C\")::" + type);
  }
}

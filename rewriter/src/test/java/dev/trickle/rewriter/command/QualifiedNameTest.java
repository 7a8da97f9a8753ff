package dev.trickle.rewriter.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QualifiedNameTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "department_tree                  | NULL       | department_tree",
        "public.dept                      | public     | dept",
        "Public.Dept                      | public     | dept",
        "  public . dept  /* comment */   | public     | dept",
        "\"My Schema\".\"Odd \"\"Name\"\"\" | My Schema  | Odd \"Name\"",
        "\"UPPER\"                          | NULL       | UPPER",
        "Ünïcode                          | NULL       | Ünïcode",
        "ÜNÏCODE_X                        | NULL       | ÜnÏcode_x",
        "\"Ünïcode\".t$1                   | Ünïcode    | t$1",
        "_x                               | NULL       | _x",
        "\"select\"                         | NULL       | select",
        "\"a.b\"                            | NULL       | a.b",
      })
  void parsesNamesByPostgreSqlRules(String text, String schema, String name) throws Exception {
    assertThat(QualifiedName.parse(text)).isEqualTo(new QualifiedName(schema, name));
  }

  @Test
  void truncatesLongPartsTo63BytesWithoutSplittingCharacters() throws Exception {
    assertThat(QualifiedName.parse("a".repeat(70)).name()).isEqualTo("a".repeat(63));
    assertThat(QualifiedName.parse("\"" + "é".repeat(40) + "\"").name()).isEqualTo("é".repeat(31));
    assertThat(QualifiedName.parse("s." + "x".repeat(63)).name()).hasSize(63);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "/* */"})
  void refusesEmptyNames(String text) {
    assertThatThrownBy(() -> QualifiedName.parse(text))
        .isInstanceOfSatisfying(
            RecognitionException.class,
            e ->
                assertThat(e.getSqlState())
                    .isIn(
                        RecognitionException.INVALID_PARAMETER_VALUE,
                        RecognitionException.INVALID_NAME));
  }

  @Test
  void refusesNull() {
    assertThatThrownBy(() -> QualifiedName.parse(null))
        .isInstanceOfSatisfying(
            RecognitionException.class,
            e ->
                assertThat(e.getSqlState())
                    .isEqualTo(RecognitionException.INVALID_PARAMETER_VALUE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db.schema.name",
        "a.b.c.d",
        "\"unterminated",
        "\"\"",
        "s.\"\"",
        "\"abc\"def",
        "a b",
        "a.",
        ".a",
        "a..b",
        "1abc",
        "'quoted'",
        "a;b",
        "a(b)",
        "s.'x'",
      })
  void refusesMalformedNames(String text) {
    assertThatThrownBy(() -> QualifiedName.parse(text))
        .isInstanceOfSatisfying(
            RecognitionException.class,
            e -> {
              assertThat(e.getSqlState()).isEqualTo(RecognitionException.INVALID_NAME);
              assertThat(e.getMessage()).contains(text.strip());
            });
  }

  @Test
  void saysWhatIsWrong() {
    assertThatThrownBy(() -> QualifiedName.parse("db.s.t")).hasMessageContaining("too many");
    assertThatThrownBy(() -> QualifiedName.parse("\"x")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> QualifiedName.parse("\"\"")).hasMessageContaining("zero-length");
  }

  @Test
  void rendersMinimalQuotes() throws Exception {
    assertThat(new QualifiedName(null, "dept")).hasToString("dept");
    assertThat(new QualifiedName("public", "dept")).hasToString("public.dept");
    assertThat(new QualifiedName("My Schema", "Odd \"Name\""))
        .hasToString("\"My Schema\".\"Odd \"\"Name\"\"\"");
    assertThat(new QualifiedName(null, "Dept")).hasToString("\"Dept\"");
    assertThat(new QualifiedName(null, "Ünïcode")).hasToString("\"Ünïcode\"");
    assertThat(new QualifiedName(null, "t$1")).hasToString("\"t$1\"");
    assertThat(new QualifiedName(null, "1x")).hasToString("\"1x\"");
    assertThat(new QualifiedName(null, "order")).hasToString("\"order\"");
    assertThat(new QualifiedName(null, "orders")).hasToString("orders");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"dept", "s.dept", "\"My Schema\".\"Odd \"\"Name\"\"\"", "\"order\"", "Ünïcode"})
  void toStringReadsBack(String text) throws Exception {
    QualifiedName name = QualifiedName.parse(text);
    assertThat(QualifiedName.parse(name.toString())).isEqualTo(name);
  }

  @Test
  void rendersAllQuotes() {
    assertThat(new QualifiedName(null, "dept").quoted()).isEqualTo("\"dept\"");
    assertThat(new QualifiedName("public", "dept").quoted()).isEqualTo("\"public\".\"dept\"");
    assertThat(new QualifiedName("a\"b", "c").quoted()).isEqualTo("\"a\"\"b\".\"c\"");
  }

  @Test
  void refusesEmptyParts() {
    assertThatThrownBy(() -> new QualifiedName("s", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QualifiedName("", "t"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QualifiedName("s", null)).isInstanceOf(NullPointerException.class);
  }
}

package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.cli.ResultTable.Column;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultPrinterTest {
  private static String print(ResultTable table) {
    StringWriter text = new StringWriter();
    new ResultPrinter(new PrintWriter(text)).print(table);
    return text.toString();
  }

  private static String lines(String... lines) {
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  @Test
  void centersHeadersRightAlignsNumbersAndLeftAlignsText() {
    ResultTable table =
        new ResultTable(
            null,
            List.of(new Column("id", true), new Column("name", false), new Column("salary", true)),
            List.of(List.of("1", "Alice", "120000.00"), List.of("12", "Bob", "95000.00")));

    assertThat(print(table))
        .isEqualTo(
            lines(
                " id | name  |  salary   ",
                "----+-------+-----------",
                "  1 | Alice | 120000.00",
                " 12 | Bob   |  95000.00",
                "(2 rows)",
                ""));
  }

  @Test
  void printsNullAsNothingAndDoesNotPadTheLastTextColumn() {
    ResultTable table =
        new ResultTable(
            null,
            List.of(new Column("n", true), new Column("department_name", false)),
            List.of(Arrays.asList(null, "Sales"), Arrays.asList("3", null)));

    assertThat(print(table))
        .isEqualTo(
            lines(
                " n | department_name ",
                "---+-----------------",
                "   | Sales",
                " 3 | ",
                "(2 rows)",
                ""));
  }

  @Test
  void countsOneRowInTheSingularAndNoneInThePlural() {
    Column column = new Column("?column?", true);
    assertThat(print(new ResultTable(null, List.of(column), List.of(List.of("1")))))
        .isEqualTo(lines(" ?column? ", "----------", "        1", "(1 row)", ""));
    assertThat(print(new ResultTable(null, List.of(column), List.of())))
        .isEqualTo(lines(" ?column? ", "----------", "(0 rows)", ""));
  }

  @Test
  void continuesMultiLineValuesWithAPlusInTheMargin() {
    ResultTable table =
        new ResultTable(
            null,
            List.of(new Column("y", true), new Column("x", false)),
            List.of(List.of("1", "a\nbcd")));

    assertThat(print(table))
        .isEqualTo(lines(" y |  x  ", "---+-----", " 1 | a  +", "   | bcd", "(1 row)", ""));
  }

  @Test
  void centersTheTitleOverTheTable() {
    ResultTable table =
        new ResultTable(
            "Table \"public.t\"",
            List.of(new Column("Column", false), new Column("Type", false)),
            List.of(List.of("identifier", "integer")));

    assertThat(print(table))
        .isEqualTo(
            lines(
                "   Table \"public.t\"",
                "   Column   |  Type   ",
                "------------+---------",
                " identifier | integer",
                "(1 row)",
                ""));
  }

  @Test
  void printsAResultWithoutColumnsLikePsql() {
    assertThat(print(new ResultTable(null, List.of(), List.of(List.of()))))
        .isEqualTo(lines("--", "(1 row)", ""));
  }

  @Test
  void measuresWidthInCodePoints() {
    ResultTable table =
        new ResultTable(null, List.of(new Column("emoji", false)), List.of(List.of("😀😀")));

    assertThat(print(table)).isEqualTo(lines(" emoji ", "-------", " 😀😀", "(1 row)", ""));
  }
}

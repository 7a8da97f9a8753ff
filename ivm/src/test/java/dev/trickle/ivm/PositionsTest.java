package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Refusals name the construct where the user wrote it, although the compiler sees it as the
 * parser prints it (other case, spacing, comments, parentheses) and although the same keyword
 * appears earlier in the query.
 */
class PositionsTest {
  @Test
  void aPrintedConstructIsFoundWhereItIsWrittenNotAtTheFirstSelect() {
    String query = "select d.id,\n  -- a comment\n  d.name\nfrom dept d\nwhere d.id in (select  E.dept_id\n from emp e)";
    int offset = Positions.offsetOf(query, "(SELECT E.dept_id FROM emp e)");
    assertThat(query.substring(offset)).startsWith("select  E.dept_id");
  }

  @Test
  void aLongerConstructFallsBackToItsLongestMatchingPrefix() {
    String query = "SELECT id FROM emp WHERE salary > (SELECT max(salary) FROM emp WHERE tag = 'x')";
    int offset = Positions.offsetOf(query, "(SELECT max(salary) FROM emp WHERE tag = 'x' AND extra)");
    assertThat(offset).isEqualTo(query.indexOf("SELECT max"));
    assertThat(Positions.offsetOf(query, "nowhere_at_all")).isEqualTo(-1);
  }

  @Test
  void aRefusedSubqueryIsReportedAtItsLineAndColumn() {
    String query = "SELECT d.id\nFROM dept d\nWHERE d.name = (SELECT e.tag FROM emp e WHERE e.id = d.id)";
    assertThatThrownBy(() -> new DeltaCompiler(new FakeCatalog(), s -> { })
            .compile(query, new StorageNames("public", "st", java.util.List.of("id"), "pgtrickle", "state", "1")))
        .isInstanceOf(UnsupportedQueryException.class)
        .hasMessageContaining("at line 3, column 17 of the query")
        .satisfies(e -> assertThat(((UnsupportedQueryException) e).line()).isEqualTo(3));
  }
}

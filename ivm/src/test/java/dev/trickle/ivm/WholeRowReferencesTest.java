package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A FROM item read as a whole row has no differential rule (a delta's row is not the relation's):
 * the refusal names the reference where it is written; a name PostgreSQL reads as a column, and
 * {@code t.*} in the select list, compile as before.
 */
class WholeRowReferencesTest {
  private static MaintenancePlan compile(String query) throws Exception {
    return compile(query, List.of("id"));
  }

  private static MaintenancePlan compile(String query, List<String> columns) throws Exception {
    return new DeltaCompiler(new FakeCatalog(), s -> { })
        .compile(query, new StorageNames("public", "st", columns, "pgtrickle", "state", "1"));
  }

  @Test
  void aBareAliasAsAValueIsRefusedWhereItIsWritten() {
    String query = "SELECT d.id,\n  row_to_json(d)::text AS j FROM dept d";
    assertThatThrownBy(() -> compile(query))
        .isInstanceOf(UnsupportedQueryException.class)
        .hasMessageStartingWith("whole-row reference d at line 2, column 15 of the query")
        .satisfies(e -> assertThat(((UnsupportedQueryException) e).construct())
            .isEqualTo("whole-row reference d"));
  }

  @Test
  void anUnaliasedTableCastToTextIsRefused() {
    assertThatThrownBy(() -> compile("SELECT emp.id, emp::text AS t FROM emp"))
        .isInstanceOf(UnsupportedQueryException.class)
        .hasMessageStartingWith("whole-row reference emp at line 1, column 16");
  }

  @Test
  void aStarInsideAnExpressionIsRefused() {
    assertThatThrownBy(() -> compile("SELECT e.id, row_to_json(e.*) AS j FROM emp e"))
        .isInstanceOf(UnsupportedQueryException.class)
        .hasMessageStartingWith("whole-row reference e.*");
  }

  @Test
  void aStarInTheSelectListAndAColumnNamedLikeAnAliasCompile() throws Exception {
    assertThat(compile("SELECT e.* FROM emp e", List.of("id", "dept_id", "salary", "tag")).refresh(Set.of(102L))).isNotEmpty();
    assertThat(compile("SELECT id FROM emp id").refresh(Set.of(102L))).isNotEmpty();
  }
}

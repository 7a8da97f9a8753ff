package dev.trickle.ivm;

import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.statement.select.Values;

/**
 * FROM items whose rows never change: the one empty row a block without FROM reads ({@code SELECT
 * 1 AS x}, the constant base case of a recursive CTE) and a VALUES list. They join like a
 * set-returning function without arguments (pseudo-oid 0, rendered verbatim in every term), so no
 * delta term ever substitutes them: a block over constants only has an empty delta, and a join
 * with a constant is linear in its other inputs.
 */
final class ConstantInputs {
  /** The alias of the empty row a block without FROM reads. */
  static final String NO_FROM_ALIAS = "__pgt_one";

  private ConstantInputs() {}

  /** The single empty row of a block without FROM: {@code (SELECT) AS "__pgt_one"}. */
  static Input noFrom(int index) {
    Relation relation = new Relation(
        0, null, NO_FROM_ALIAS, Relation.Kind.OTHER, List.of(), List.of(),
        "(SELECT) AS " + Sql.identifier(NO_FROM_ALIAS));
    return new Input(index, NO_FROM_ALIAS, relation, Input.JoinType.FIRST, null);
  }

  /**
   * A VALUES list in FROM, {@code (VALUES ...) AS alias(columns)}; its columns are named by the
   * alias or, as PostgreSQL names them, {@code column1, column2, ...}.
   */
  static Input values(int index, String alias, List<String> aliasColumns, Values values,
      Input.JoinType join, String on) {
    List<String> names = new ArrayList<>(aliasColumns);
    Object first = values.getExpressions().isEmpty() ? null : values.getExpressions().get(0);
    int width = first instanceof ExpressionList<?> row ? row.size() : 1;
    for (int i = names.size(); i < width; i++) {
      names.add("column" + (i + 1));
    }
    List<RelationColumn> columns =
        names.stream().map(c -> new RelationColumn(c, "unknown", false)).toList();
    String text = "(" + values + ") AS " + Sql.identifier(alias) + "(" + Sql.identifiers(names) + ")";
    Relation relation = new Relation(0, null, alias, Relation.Kind.OTHER, columns, List.of(), text);
    return new Input(
        index, alias, relation, join == Input.JoinType.INNER ? join : Input.JoinType.CROSS, on);
  }
}

package dev.trickle.ivm;

import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.sql.Sql;

/**
 * One FROM-clause occurrence of a relation in a query block (a self-join has two), with how it is
 * joined to the inputs before it. Each occurrence is one argument of the block's multilinear join,
 * so it is substituted separately by the delta rule.
 *
 * @param alias the name the query uses for it (its alias, or the table name when unaliased)
 * @param join how it joins the inputs before it ({@link JoinType#FIRST} for the first)
 * @param on the join condition as SQL text, or null
 */
record Input(int index, String alias, Relation relation, JoinType join, String on, Derived derived) {

  Input(int index, String alias, Relation relation, JoinType join, String on) {
    this(index, alias, relation, join, on, null);
  }

  /** The join kinds the compiler has rules for. */
  enum JoinType {
    FIRST,
    INNER,
    CROSS,
    LEFT,
    FULL,
    /** A RIGHT JOIN while the block is being built; the analyzer turns it into a LEFT JOIN. */
    RIGHT_SWAPPED
  }

  /**
   * A set-returning function in FROM ({@code unnest(t.a)}, {@code jsonb_each(t.j)}, {@code
   * generate_series(...)}, WITH ORDINALITY): rendered verbatim as a LATERAL item in every term. It
   * is a function of the rows of the inputs before it, so it is linear in them: their delta rows
   * expand to exactly the output rows they derive. Its relation has pseudo-oid 0 (never changes).
   */
  boolean isFunction() {
    return relation.kind() == Relation.Kind.OTHER && relation.oid() == 0;
  }

  /** The FROM item reading the relation's current state (at the refresh snapshot). */
  String current() {
    if (isFunction()) {
      return "LATERAL " + relation.viewDefinition();
    }
    return source() + " AS " + Sql.identifier(alias);
  }

  private String source() {
    return derived != null
        ? "(" + derived.currentSql() + ")"
        : Sql.qualified(relation.schema(), relation.name());
  }

  /** The FROM item reading the relation's consumed changes, with their weights. */
  String delta() {
    if (isFunction()) {
      return current();
    }
    return (derived != null ? derived.deltaTable() : DeltaNames.deltaTable(relation.oid()))
        + " AS " + Sql.identifier(alias);
  }

  /** A one-row FROM item of NULLs typed like the relation: the padding of an outer join. */
  String nulls() {
    return "(SELECT x.* FROM (SELECT 1) AS one LEFT JOIN " + source() + " AS x ON false) AS "
        + Sql.identifier(alias);
  }

  /** True when the column is declared NOT NULL; the block decides whether the input is padded. */
  boolean declaredNotNull(String column) {
    RelationColumn c = relation.column(column);
    return c != null && c.notNull();
  }

  /** This input with another position and join (RIGHT JOIN becomes a LEFT JOIN the other way). */
  Input as(int newIndex, JoinType newJoin, String newOn) {
    return new Input(newIndex, alias, relation, newJoin, newOn, derived);
  }
}

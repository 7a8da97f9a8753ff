package dev.trickle.ivm;

import java.util.List;
import net.sf.jsqlparser.expression.Expression;

/**
 * One analyzed SELECT block: the joined inputs, the filter, the output expressions with {@code *}
 * expanded, and, when it aggregates, its grouping. Expressions stay JSqlParser trees (printed as
 * SQL by their {@code toString}); the block is built fresh for each use because the aggregate
 * rewrite edits expressions in place.
 *
 * @param where the WHERE condition, or null
 * @param outputs the output expressions, one per storage column
 * @param outputNames the names PostgreSQL gives the outputs (alias, column or function name)
 * @param groupBy grouping expressions (ordinals and output aliases resolved), empty when none
 * @param having the HAVING condition, or null
 * @param aggregating true when the block groups, aggregates or is DISTINCT
 * @param semiJoins the block's [NOT] EXISTS / [NOT] IN conjuncts, in WHERE order (empty when none)
 * @param partitioning set when the block has window functions or DISTINCT ON, else null
 */
record QueryBlock(
    List<Input> inputs,
    Expression where,
    List<Expression> outputs,
    List<String> outputNames,
    List<Expression> groupBy,
    Expression having,
    boolean aggregating,
    List<SemiJoin> semiJoins,
    Partitioning partitioning) {

  /**
   * The partition keys of a block whose rows depend on other rows of their partition (window
   * functions, DISTINCT ON): a change recomputes the partitions it touches.
   *
   * @param keys partition key expressions (empty: the whole result is one partition)
   * @param operator what partitions the block, for explanations
   */
  record Partitioning(List<String> keys, String operator, Lateral lateral) {
    Partitioning(List<String> keys, String operator) {
      this(keys, operator, null);
    }
  }

  /**
   * A LATERAL subquery over one table, correlated with the block's single outer input: a change
   * to the table affects the outer rows its correlation matches.
   *
   * @param table the subquery's table (not an input of the block's joins)
   * @param correlation the subquery's WHERE, referencing the table and the outer alias
   */
  record Lateral(Input table, String correlation) {}


  /** The input joined with LEFT JOIN (always the last one), or null. */
  Input leftJoined() {
    Input last = inputs.get(inputs.size() - 1);
    return last.join() == Input.JoinType.LEFT ? last : null;
  }

  /** True for a two-input FULL JOIN. */
  boolean fullJoin() {
    return inputs.get(inputs.size() - 1).join() == Input.JoinType.FULL;
  }

  /** True when the input's columns may be NULL-padded by an outer join. */
  boolean padded(Input input) {
    return input.join() == Input.JoinType.LEFT || fullJoin();
  }

  /** True when {@code column} of {@code input} is never NULL in the block's rows. */
  boolean neverNull(Input input, String column) {
    return input.declaredNotNull(column) && !padded(input);
  }

  /**
   * The derived inputs (subqueries, CTEs, views, and the subqueries of semi-joins that are not over
   * one table), whose nested plans run first.
   */
  List<Input> derivedInputs() {
    List<Input> derived = new java.util.ArrayList<>(inputs.stream().filter(i -> i.derived() != null).toList());
    semiJoins.stream().map(SemiJoin::input).filter(i -> i.derived() != null).forEach(derived::add);
    return derived;
  }

  /** The input named {@code alias} (case-sensitive, as folded), or null. */
  Input input(String alias) {
    for (Input i : inputs) {
      if (i.alias().equals(alias)) {
        return i;
      }
    }
    return null;
  }
}

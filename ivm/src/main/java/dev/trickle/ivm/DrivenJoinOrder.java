package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;
import net.sf.jsqlparser.schema.Column;

/**
 * The order a join delta term writes its inputs in, so that it is evaluated from its (small) delta
 * outward: the delta first, then, one at a time, an input joined by an equality to those already
 * written (another delta first, then current relations, then pre-change states), so each step can
 * probe an index by the join key. The refresh plans the term with {@code join_collapse_limit = 1}
 * ({@link #PIN}), which keeps this order; the planner still chooses each join's method and sides.
 *
 * <p>Why: left free, PostgreSQL orders a term's joins by its estimates, and those are often far off
 * for multi-way joins over TPC-H's correlated keys (Q9's {@code part ⋈ partsupp ⋈ lineitem},
 * estimated at 121 rows, has 32,145): it then starts from a filtered scan of a whole table, hashes
 * it and reaches the delta last, where starting from the 646 changed orders probes about 2,600
 * lineitems.
 *
 * <p>Only for blocks of inner and cross joins of relations (no outer join, no function in FROM): their
 * inputs may be written in any order once the join conditions are conditions of the WHERE.
 */
final class DrivenJoinOrder {
  /** The setting that makes the planner keep the written join order, and its restoration. */
  static final String PIN = "SET LOCAL join_collapse_limit = 1";

  static final String UNPIN = "SET LOCAL join_collapse_limit TO DEFAULT";

  private DrivenJoinOrder() {}

  /**
   * {@code steps} (which plan the block's delta terms) between {@link #PIN} and {@link #UNPIN} when
   * the block's terms are written in driven order, else {@code steps} as they are. The setting is
   * local to the transaction; inside an IMMEDIATE trigger the rest of the writer's transaction runs
   * with the server's default {@code join_collapse_limit}.
   */
  static List<Step> pinned(QueryBlock block, List<Step> steps) {
    if (!reorderable(block)) {
      return steps;
    }
    List<Step> pinned = new ArrayList<>();
    pinned.add(Step.of(PIN));
    pinned.addAll(steps);
    pinned.add(Step.of(UNPIN));
    return pinned;
  }

  /** True when the block's inputs may be written in any order. */
  static boolean reorderable(QueryBlock block) {
    if (block.inputs().size() < 3) {
      return false;
    }
    for (Input input : block.inputs()) {
      if (input.isFunction()
          || !(input.join() == Input.JoinType.FIRST
              || input.join() == Input.JoinType.INNER
              || input.join() == Input.JoinType.CROSS)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The inputs in driven order: {@code rank} orders the candidates (lower first: a delta, a current
   * relation, a pre-change state), ties in FROM order; the first input has the lowest rank.
   */
  static List<Input> of(QueryBlock block, ToIntFunction<Input> rank) {
    List<Column[]> equalities = ProbeKeys.equalities(block);
    List<Input> remaining = new ArrayList<>(block.inputs());
    List<Input> ordered = new ArrayList<>();
    Set<Input> placed = new LinkedHashSet<>();
    while (!remaining.isEmpty()) {
      Input next = null;
      for (Input candidate : remaining) {
        boolean joined = placed.isEmpty() || connected(block, equalities, candidate, placed);
        if (joined && (next == null || rank.applyAsInt(candidate) < rank.applyAsInt(next))) {
          next = candidate;
        }
      }
      if (next == null) {
        next = remaining.get(0);
      }
      remaining.remove(next);
      placed.add(next);
      ordered.add(next);
    }
    return ordered;
  }

  private static boolean connected(
      QueryBlock block, List<Column[]> equalities, Input candidate, Set<Input> placed) {
    for (Column[] pair : equalities) {
      Input left = inputOf(block, pair[0]);
      Input right = inputOf(block, pair[1]);
      if ((left == candidate && placed.contains(right))
          || (right == candidate && placed.contains(left))) {
        return true;
      }
    }
    return false;
  }

  /** The input a column reference belongs to, or null when it cannot be told. */
  private static Input inputOf(QueryBlock block, Column column) {
    String name = Names.fold(column.getColumnName());
    String table = column.getTable() == null || column.getTable().getName() == null
        ? null
        : Names.fold(column.getTable().getName());
    Input found = null;
    for (Input input : block.inputs()) {
      if (table != null ? input.alias().equals(table) : input.relation().column(name) != null) {
        if (found != null) {
          return null;
        }
        found = input;
      }
    }
    return found;
  }
}

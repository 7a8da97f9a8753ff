package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The delta rule of a select-project-join block. Filters and projections are linear (they apply
 * to delta rows as they are); inner and cross joins are multilinear, so for the changed inputs
 * C₁ … C_m of this refresh, in FROM order, the delta telescopes into one term per changed input:
 *
 * <pre>  ΔQ = Σ over k of Q(C₁¹ … C_{k−1}¹, ΔC_k, C_{k+1}⁰ … C_m⁰)</pre>
 *
 * where ¹ is an input's current state, ⁰ its state before the changes ({@link PreChangeState}:
 * current rows minus the delta) and unchanged inputs read their current state; weights multiply
 * across the delta and pre-change inputs of a term. The sum is exact (each term is the change of
 * Q when C_k alone moves from its old to its new state, the inputs before it already new, the
 * ones after it still old), and it has m terms where expanding the products over every subset of
 * changed inputs has 2^m − 1. Each term is split once more so that the terms carrying most rows
 * read only current relations ({@link #telescoped}): m + m(m−1)/2 terms in all. Every term is
 * driven by a delta probing the others' indexes, so the cost is O(changes × index lookups); no old state of a whole table is built.
 * In a join whose terms are the whole delta of their output ({@link #projected}), a source's delta
 * is read projected to the columns the term names and consolidated there ({@link ProjectedDelta}).
 * Terms that only find the keys a plan recomputes are not projected: a change to a column the
 * term does not name would cancel there, and its key would not be recomputed.
 *
 * <p>A LEFT JOIN of the last input R to the inputs L before it is the inner join plus the rows of L
 * without a match, padded with NULLs (N). N is linear in L but not in R:
 *
 * <pre>  ΔN = N(L₁, R₁) − N(L₀, R₁) + M(L₀),   M(X) = Σ over x in X matching ΔR of (nomatch₁(x) − nomatch₀(x))</pre>
 *
 * with the first difference telescoped over the changed inputs of L, and nomatch₀ computed from the
 * current matches minus the signed matches in ΔR. Cost: the left rows whose match status may have
 * changed, found through ΔR. A [NOT] EXISTS conjunct ({@link SemiJoin}) is treated the same way.
 */
final class DeltaTerms {
  private final QueryBlock block;
  private final boolean projectDeltas;
  private final ScalarChangeFilter scalarChanges;

  /** Terms that read each changed source's whole delta. */
  DeltaTerms(QueryBlock block) {
    this(block, false);
  }

  private DeltaTerms(QueryBlock block, boolean projectDeltas) {
    this.block = block;
    this.projectDeltas = projectDeltas;
    this.scalarChanges = ScalarChangeFilter.of(block);
  }

  /**
   * Terms whose rows are the block's whole delta of the select list they are given (every column
   * the result depends on is in it), so a join may read each delta projected to the columns a
   * term names.
   */
  static DeltaTerms projected(QueryBlock block) {
    return new DeltaTerms(block, true);
  }

  /** How a term reads an input. */
  private enum State {
    CURRENT,
    DELTA,
    BEFORE,
    NULLS
  }

  /**
   * The SELECTs whose UNION ALL is the block's delta, each ending with the weight column.
   *
   * @param selectList the projected expressions (without the weight), already aliased
   * @param changed oids of the sources with changes
   */
  List<String> terms(String selectList, Set<Long> changed) {
    List<Input> inputs = block.inputs();
    Input right = block.leftJoined();
    List<Input> changedInputs = new ArrayList<>();
    for (Input input : inputs) {
      if (changed.contains(input.relation().oid())) {
        changedInputs.add(input);
      }
    }
    List<String> where = block.where() == null ? List.of() : List.of("(" + block.where() + ")");
    List<String> terms = new ArrayList<>(telescoped(selectList, changedInputs, null, where, ""));
    terms.addAll(new SemiJoinTerms(block, this).terms(selectList, changedInputs, changed));
    if (right != null) {
      terms.addAll(paddingTerms(selectList, changedInputs, right));
    } else if (block.fullJoin()) {
      terms.addAll(paddingTerms(selectList, changedInputs, inputs.get(1)));
      terms.addAll(paddingTerms(selectList, changedInputs, inputs.get(0)));
    }
    return terms;
  }

  /**
   * The telescoped sum with each first-order term split once more: term k, {@code ΔC_k} with the
   * later changed inputs before their changes, is {@code ΔC_k} with every other input current
   * minus, for each later changed input C_j, {@code ΔC_k ⋈ ΔC_j} with the inputs between them
   * current and the ones after C_j before their changes (the telescoped difference of the later
   * inputs' products). The first-order terms, which carry nearly all rows, then read only current
   * relations, whose statistics the planner knows; the pre-change state, a {@code UNION ALL} the
   * planner has no column statistics for, is read only in the second-order terms, which two deltas
   * drive. m + m(m−1)/2 terms for m changed inputs.
   */
  private List<String> telescoped(
      String selectList, List<Input> changedInputs, Input padded, List<String> conditions, String factor) {
    List<String> terms = new ArrayList<>();
    String negated = factor.isEmpty() ? "-1" : "-1 * " + factor;
    for (int k = 0; k < changedInputs.size(); k++) {
      Map<Input, State> states = new HashMap<>();
      states.put(changedInputs.get(k), State.DELTA);
      if (padded != null) {
        states.put(padded, State.NULLS);
      }
      terms.add(term(selectList, states, padded, conditions, factor, null));
      for (int j = k + 1; j < changedInputs.size(); j++) {
        Map<Input, State> pair = new HashMap<>(states);
        pair.put(changedInputs.get(j), State.DELTA);
        for (Input later : changedInputs.subList(j + 1, changedInputs.size())) {
          pair.put(later, State.BEFORE);
        }
        terms.add(term(selectList, pair, padded, conditions, negated, null));
      }
    }
    return terms;
  }

  /** Every changed input in its pre-change state. */
  private static Map<Input, State> before(List<Input> changedInputs) {
    Map<Input, State> states = new HashMap<>();
    changedInputs.forEach(i -> states.put(i, State.BEFORE));
    return states;
  }

  /**
   * The terms of the NULL-padded rows of the other inputs L that have no match in {@code right}:
   * N(L₁, R₁) − N(L₀, R₁) telescoped over L, and M(L₀).
   */
  private List<String> paddingTerms(String selectList, List<Input> changedInputs, Input right) {
    String on = block.inputs().get(block.inputs().size() - 1).on();
    List<String> terms = new ArrayList<>();
    List<Input> changedLeft = new ArrayList<>(changedInputs);
    changedLeft.remove(right);
    String noMatchNow = "NOT EXISTS (SELECT 1 FROM " + right.current() + " WHERE " + on + ")";
    List<String> conditions = new ArrayList<>();
    if (block.where() != null) {
      conditions.add("(" + block.where() + ")");
    }
    conditions.add(noMatchNow);
    terms.addAll(telescoped(selectList, changedLeft, right, conditions, ""));
    if (changedInputs.contains(right)) {
      GroupedRightDelta grouped = GroupedRightDelta.of(block, right, on);
      String countNow = "(SELECT count(*) FROM " + right.current() + " WHERE " + on + ")";
      String changedMatches = grouped != null
          ? grouped.sum()
          : "(SELECT COALESCE(sum(" + Sql.identifier(right.alias()) + "." + DeltaNames.WEIGHT + "), 0) FROM "
              + right.delta() + " WHERE " + on + ")";
      String statusChange = "((" + noMatchNow + ")::int - ((" + countNow + " - " + changedMatches
          + ") = 0)::int)";
      Map<Input, State> states = before(changedLeft);
      states.put(right, State.NULLS);
      List<String> touchedConditions = new ArrayList<>();
      if (block.where() != null) {
        touchedConditions.add("(" + block.where() + ")");
      }
      if (grouped == null) {
        touchedConditions.add("EXISTS (SELECT 1 FROM " + right.delta() + " WHERE " + on + ")");
      }
      terms.add(term(selectList, states, right, touchedConditions, statusChange,
          grouped == null ? null : " JOIN " + grouped.fromItem() + " ON " + grouped.joinCondition()));
    }
    return terms;
  }

  /**
   * One term: each input read as {@code states} says (current when absent), {@code padded} (if not
   * null) cross-joined as the NULL row, the given WHERE conditions, and as weight the product of
   * the delta and pre-change inputs' weights and {@code factor} (none when empty); {@code
   * extraJoin}, when not null, is joined after the inputs.
   */
  private String term(String selectList, Map<Input, State> states, Input padded,
      List<String> written, String factor, String extraJoin) {
    List<String> conditions = scalarChanges.narrowed(written,
        states.keySet().stream().filter(i -> states.get(i) == State.DELTA).toList());
    StringBuilder weight = new StringBuilder();
    for (Input input : block.inputs()) {
      State state = states.getOrDefault(input, State.CURRENT);
      if (state == State.DELTA || state == State.BEFORE) {
        weight.append(weight.length() == 0 ? "" : " * ")
            .append(Sql.identifier(input.alias())).append('.').append(DeltaNames.WEIGHT);
      }
    }
    if (!factor.isEmpty()) {
      weight.append(weight.length() == 0 ? "" : " * ").append(factor);
    }
    String w = weight.length() == 0 ? "1" : weight.toString();
    String draft = render(selectList, Input::current, padded, conditions, w, extraJoin);
    TermColumns named = new TermColumns(draft);
    boolean joined =
        projectDeltas && block.inputs().stream().filter(i -> !i.isFunction()).count() > 1;
    PreChangeState old = new PreChangeState(named);
    return render(
        selectList,
        input -> switch (states.getOrDefault(input, State.CURRENT)) {
          case CURRENT -> input.current();
          case DELTA -> joined ? ProjectedDelta.of(input, named) : input.delta();
          case BEFORE -> old.of(input);
          case NULLS -> input.nulls();
        },
        padded,
        conditions,
        w,
        extraJoin);
  }

  /**
   * The block as one SELECT with each input read from {@code fromItem.apply(input)} (a FROM item
   * with its alias), {@code padded} cross-joined as a NULL row, the given WHERE conditions (the
   * caller includes the block's own) and a weight.
   */
  String render(
      String selectList,
      java.util.function.Function<Input, String> fromItem,
      Input padded,
      List<String> conditions,
      String weight) {
    return render(selectList, fromItem, padded, conditions, weight, null);
  }

  private String render(
      String selectList,
      java.util.function.Function<Input, String> fromItem,
      Input padded,
      List<String> conditions,
      String weight,
      String extraJoin) {
    StringBuilder sql = new StringBuilder("SELECT ").append(selectList);
    sql.append(selectList.isEmpty() ? "" : ", ").append(weight).append(" AS ").append(DeltaNames.WEIGHT);
    sql.append(" FROM ");
    for (Input input : block.inputs()) {
      String item = fromItem.apply(input);
      if (input.join() == Input.JoinType.FIRST) {
        sql.append(item);
      } else if (input.isFunction() && input.join() == Input.JoinType.CROSS) {
        sql.append(", ").append(item);
      } else if (input == padded
          || input.join() == Input.JoinType.CROSS
          || (padded != null && input.join() == Input.JoinType.FULL)) {
        sql.append(" CROSS JOIN ").append(item);
      } else {
        sql.append(" JOIN ").append(item).append(" ON ").append(input.on());
      }
    }
    if (extraJoin != null) {
      sql.append(extraJoin);
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    return sql.toString();
  }

  /** The narrowing of terms that read a scalar subquery's change ({@link ScalarChangeFilter}). */
  ScalarChangeFilter scalarChanges() {
    return scalarChanges;
  }

  static int sign(List<Input> subset) {
    return subset.size() % 2 == 1 ? 1 : -1;
  }

  static String weight(List<Input> deltas, int sign) {
    StringBuilder w = new StringBuilder(sign < 0 ? "-1" : "1");
    for (Input input : deltas) {
      w.append(" * ").append(Sql.identifier(input.alias())).append('.').append(DeltaNames.WEIGHT);
    }
    return w.toString();
  }

  /** All non-empty subsets, smallest first. */
  static <T> List<List<T>> subsets(List<T> items) {
    List<List<T>> result = new ArrayList<>();
    int n = items.size();
    for (int size = 1; size <= n; size++) {
      for (int mask = 1; mask < (1 << n); mask++) {
        if (Integer.bitCount(mask) != size) {
          continue;
        }
        List<T> subset = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if ((mask & (1 << i)) != 0) {
            subset.add(items.get(i));
          }
        }
        result.add(subset);
      }
    }
    return result;
  }
}

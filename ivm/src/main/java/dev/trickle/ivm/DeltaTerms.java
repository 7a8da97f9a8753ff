package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The delta rule of a select-project-join block, in post-state form. Filters and projections are
 * linear (they apply to delta rows as they are); inner and cross joins are multilinear, so for the
 * set C of inputs that changed in this refresh
 *
 * <pre>  ΔQ = Σ over non-empty S ⊆ C of (−1)^(|S|+1) · Q(ΔS, current state of the others)</pre>
 *
 * with weights multiplied across the delta inputs of a term. Every term is driven by a small delta
 * probing current tables, so the cost is O(changes × index lookups); no old state of a whole
 * table is ever built.
 *
 * <p>A LEFT JOIN of the last input R to the inputs L before it is the inner join plus the rows of L
 * without a match, padded with NULLs (N). N is linear in L but not in R:
 *
 * <pre>  ΔN = N(ΔL, R₁) + M(L₁) − M(ΔL),   M(X) = Σ over x in X matching ΔR of (nomatch₁(x) − nomatch₀(x))</pre>
 *
 * where nomatch₀ is computed from the current matches minus the signed matches in ΔR. Cost: the
 * left rows whose match status may have changed, found through ΔR.
 */
final class DeltaTerms {
  private final QueryBlock block;

  DeltaTerms(QueryBlock block) {
    this.block = block;
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
    List<String> terms = new ArrayList<>();
    for (List<Input> subset : subsets(changedInputs)) {
      terms.add(term(selectList, subset, null, List.of(), weight(subset, sign(subset))));
    }
    SemiJoin semi = block.semiJoin();
    if (semi != null && changed.contains(semi.input().relation().oid())) {
      List<String> where = new ArrayList<>();
      if (semi.rest() != null) {
        where.add(semi.rest());
      }
      where.add(semi.touched());
      terms.add(render(selectList, Input::current, null, where, semi.statusChange()));
      for (List<Input> subset : subsets(changedInputs)) {
        String w = weight(subset, -sign(subset)) + " * " + semi.statusChange();
        terms.add(render(selectList, i -> subset.contains(i) ? i.delta() : i.current(), null, where, w));
      }
    }
    if (right != null) {
      terms.addAll(paddingTerms(selectList, changedInputs, right));
    } else if (block.fullJoin()) {
      terms.addAll(paddingTerms(selectList, changedInputs, inputs.get(1)));
      terms.addAll(paddingTerms(selectList, changedInputs, inputs.get(0)));
    }
    return terms;
  }

  /**
   * The terms of the NULL-padded rows of the other inputs L that have no match in {@code right}:
   * N(ΔL, R₁) + M(L₁) − M(ΔL).
   */
  private List<String> paddingTerms(String selectList, List<Input> changedInputs, Input right) {
    String on = block.inputs().get(block.inputs().size() - 1).on();
    List<String> terms = new ArrayList<>();
    List<Input> changedLeft = new ArrayList<>(changedInputs);
    changedLeft.remove(right);
    String noMatchNow = "NOT EXISTS (SELECT 1 FROM " + right.current() + " WHERE " + on + ")";
    for (List<Input> subset : subsets(changedLeft)) {
      terms.add(term(selectList, subset, right, List.of(noMatchNow), weight(subset, sign(subset))));
    }
    if (changedInputs.contains(right)) {
      String touched = "EXISTS (SELECT 1 FROM " + right.delta() + " WHERE " + on + ")";
      String matchesBefore =
          "(SELECT count(*) FROM "
              + right.current()
              + " WHERE "
              + on
              + ") - (SELECT COALESCE(sum("
              + Sql.identifier(right.alias())
              + "."
              + DeltaNames.WEIGHT
              + "), 0) FROM "
              + right.delta()
              + " WHERE "
              + on
              + ")";
      String statusChange = "((" + noMatchNow + ")::int - ((" + matchesBefore + ") = 0)::int)";
      terms.add(term(selectList, List.of(), right, List.of(touched), statusChange));
      for (List<Input> subset : subsets(changedLeft)) {
        String w = weight(subset, -sign(subset)) + " * " + statusChange;
        terms.add(term(selectList, subset, right, List.of(touched), w));
      }
    }
    return terms;
  }

  /**
   * One term: the inputs in {@code deltas} read their changes, {@code padded} (if not null) is the
   * NULL row, every other input reads its current state.
   */
  private String term(
      String selectList, List<Input> deltas, Input padded, List<String> extra, String weight) {
    List<String> conditions = new ArrayList<>();
    if (block.where() != null) {
      conditions.add("(" + block.where() + ")");
    }
    conditions.addAll(extra);
    return render(
        selectList,
        input ->
            input == padded
                ? input.nulls()
                : deltas.contains(input) ? input.delta() : input.current(),
        padded,
        conditions,
        weight);
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
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    return sql.toString();
  }

  private static int sign(List<Input> subset) {
    return subset.size() % 2 == 1 ? 1 : -1;
  }

  private static String weight(List<Input> deltas, int sign) {
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

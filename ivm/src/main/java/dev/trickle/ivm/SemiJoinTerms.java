package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The delta terms a block owes its semi-joins ({@link SemiJoin}) for changes to their relations:
 * the rows of the other inputs L whose match status changed. With k semi-joins e₁ … e_k over B₁ …
 * B_k the block is Σ over a in L of Π e_j(a), and
 *
 * <pre>  ΔQ = ΔL·Π e_j(1) + Σ_j L₀ · Π_{i&lt;j} e_i(0) · (e_j(1) − e_j(0)) · Π_{i&gt;j} e_i(1)</pre>
 *
 * (telescoping the product, state 0 before and 1 after this refresh's changes). The first sum is
 * the block's ordinary terms, which evaluate every conjunct on current B; each term of the second
 * reads L₀ as the current inputs minus their deltas (inclusion–exclusion over the changed ones),
 * evaluates the semi-joins before j as they held before the changes and those after j as they hold
 * now, and is restricted to the rows some changed row of B_j matches (also by key, when the
 * semi-join has equality keys: {@link SemiJoinKeys}). Cost per changed B_j: the rows of L its
 * changed rows match.
 */
final class SemiJoinTerms {
  private final QueryBlock block;
  private final DeltaTerms terms;

  SemiJoinTerms(QueryBlock block, DeltaTerms terms) {
    this.block = block;
    this.terms = terms;
  }

  /**
   * @param selectList the projected expressions, aliased
   * @param changedInputs the block's inputs that changed in this refresh
   * @param changed oids (and derived pseudo-oids) that changed
   */
  List<String> terms(String selectList, List<Input> changedInputs, Set<Long> changed) {
    List<SemiJoin> semiJoins = block.semiJoins();
    List<String> result = new ArrayList<>();
    for (int j = 0; j < semiJoins.size(); j++) {
      SemiJoin semi = semiJoins.get(j);
      if (!changed.contains(semi.input().relation().oid())) {
        continue;
      }
      List<String> where = new ArrayList<>();
      if (semi.rest() != null) {
        where.add(semi.rest());
      }
      for (int i = 0; i < semiJoins.size(); i++) {
        SemiJoin other = semiJoins.get(i);
        if (i < j && changed.contains(other.input().relation().oid())) {
          where.add(other.holdsBefore());
        } else if (i != j) {
          where.add(other.holdsNow());
        }
      }
      result.add(terms.render(selectList, Input::current, null,
          touched(where, semi, block.inputs()), semi.statusChange()));
      for (List<Input> subset : DeltaTerms.subsets(changedInputs)) {
        List<Input> unchanged = block.inputs().stream().filter(i -> !subset.contains(i)).toList();
        List<String> conditions = touched(where, semi, unchanged);
        String w = DeltaTerms.weight(subset, -DeltaTerms.sign(subset)) + " * " + semi.statusChange();
        result.add(terms.render(selectList, i -> subset.contains(i) ? i.delta() : i.current(), null,
            terms.scalarChanges().narrowed(conditions, subset), w));
      }
    }
    return result;
  }

  /**
   * {@code where} and the condition that the row's match status may have changed, restricted by the
   * changed keys ({@link SemiJoinKeys#restriction}) over the outer inputs read {@code current}.
   */
  private static List<String> touched(List<String> where, SemiJoin semi, List<Input> current) {
    List<String> conditions = new ArrayList<>(where);
    String byKey = SemiJoinKeys.restriction(semi, current);
    if (byKey != null) {
      conditions.add(byKey);
    }
    conditions.add(semi.touched());
    return conditions;
  }
}

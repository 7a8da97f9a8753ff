package dev.trickle.ivm;

import dev.trickle.sql.Sql;

/**
 * A WHERE conjunct testing another relation B for matching rows: {@code [NOT] EXISTS (SELECT ...
 * FROM B WHERE c)}, {@code x [NOT] IN (SELECT y FROM B WHERE w)} (as {@code EXISTS ... WHERE w AND
 * y = x}; NOT IN keeps its NULL semantics as {@code NOT EXISTS ... WHERE w AND (y = x OR y IS NULL
 * OR x IS NULL)}).
 *
 * <p>Rule: the block's value is Σ over rows a of its other inputs L of e(a, B), so ΔQ = Σ over ΔL
 * of e(a, B₁) (the ordinary terms, which evaluate the conjunct on current B) + Σ over a in L₀
 * matching ΔB of (e(a, B₁) − e(a, B₀)), with e(a, B₀) derived from the current matches minus the
 * signed matches in ΔB. Cost: the rows of L whose match status may have changed, found through ΔB.
 *
 * @param input B, resolved (not joined: {@link Input.JoinType#FIRST}, index -1)
 * @param condition c, referencing B's alias and the outer block's aliases
 * @param rest the block's other WHERE conjuncts, or null
 */
record SemiJoin(boolean negated, Input input, String condition, String rest) {

  /** True when some row of B (at the refresh snapshot) matches. */
  String existsNow() {
    return "EXISTS (SELECT 1 FROM " + input.current() + " WHERE " + condition + ")";
  }

  /** True when some changed row of B matches: the candidates whose status may have changed. */
  String touched() {
    return "EXISTS (SELECT 1 FROM " + input.delta() + " WHERE " + condition + ")";
  }

  /** e(a, B₁) − e(a, B₀) as an integer in {−1, 0, 1} (negated for NOT EXISTS). */
  String statusChange() {
    String before =
        "((SELECT count(*) FROM " + input.current() + " WHERE " + condition + ") - (SELECT COALESCE(sum("
            + Sql.identifier(input.alias()) + "." + DeltaNames.WEIGHT + "), 0) FROM " + input.delta() + " WHERE "
            + condition + ")) > 0";
    String change = "((" + existsNow() + ")::int - (" + before + ")::int)";
    return negated ? "(-" + change + ")" : change;
  }
}

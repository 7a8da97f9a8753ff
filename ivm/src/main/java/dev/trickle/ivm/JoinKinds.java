package dev.trickle.ivm;

import net.sf.jsqlparser.statement.select.Join;

/**
 * The join kind of one join of a block, as the rules know it. USING and NATURAL joins and outer
 * joins that other joins follow are rewritten before a block is analyzed ({@link
 * UsingJoinRewrite}, {@link OuterJoinNesting}); where a block is analyzed without those rewrites
 * (the step of a recursive CTE) they are refused here.
 */
final class JoinKinds {
  private JoinKinds() {}

  /**
   * @param last whether the join is the block's last
   * @param joinCount how many joins the block has
   * @param refusals places a refusal in the user's query
   */
  static Input.JoinType of(Join join, boolean last, int joinCount, BlockAnalyzer refusals)
      throws UnsupportedQueryException {
    if (join.isNatural() || (join.getUsingColumns() != null && !join.getUsingColumns().isEmpty())) {
      throw refusals.unsupported("JOIN ... USING / NATURAL JOIN in this position (write the ON condition)", "USING");
    }
    if (join.isRight() || join.isFull()) {
      if (!last || joinCount != 1) {
        throw refusals.unsupported((join.isRight() ? "RIGHT" : "FULL") + " JOIN of more than two relations in this position",
            join.isRight() ? "RIGHT" : "FULL");
      }
      return join.isRight() ? Input.JoinType.RIGHT_SWAPPED : Input.JoinType.FULL;
    }
    if (join.isLeft()) {
      if (!last) {
        throw refusals.unsupported("LEFT JOIN followed by further joins in this position", "LEFT");
      }
      return Input.JoinType.LEFT;
    }
    if (join.isSimple() || join.isCross() || join.getOnExpressions().isEmpty()) {
      return Input.JoinType.CROSS;
    }
    return Input.JoinType.INNER;
  }
}

package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.Locale;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.statement.select.AllColumns;

/**
 * One aggregate call of a block and the rule that maintains it. COUNT, SUM and AVG are invertible:
 * their state (non-NULL count, sum) absorbs a delta with one addition per group. MIN and MAX are
 * semi-invertible: insertions fold in with LEAST/GREATEST; a group is rescanned only when a
 * deleted value reaches its extremum. Every other aggregate (DISTINCT, ORDER BY inside, STRING_AGG,
 * ARRAY_AGG, BOOL_AND, JSON aggregates, statistics, user-defined) is recomputed for the affected
 * groups only.
 *
 * @param index position among the block's aggregate calls (names its state columns)
 * @param argument the single argument's SQL, or null for COUNT(*) and rescanned calls
 * @param call the whole call's SQL as written, used when rescanning
 */
record AggregateCall(int index, Kind kind, String argument, String call) {

  /** The maintenance rule. */
  enum Kind {
    COUNT_STAR,
    COUNT,
    SUM,
    AVG,
    MIN,
    MAX,
    RESCAN
  }

  static AggregateCall of(int index, Function f) {
    String name = BlockAnalyzer.lastPart(Names.fold(f.getName())).toLowerCase(Locale.ROOT);
    int arguments = f.getParameters() == null ? 0 : f.getParameters().size();
    boolean plain =
        !f.isDistinct()
            && arguments == 1
            && (f.getOrderByElements() == null || f.getOrderByElements().isEmpty());
    boolean star =
        f.isAllColumns()
            || (arguments == 1 && f.getParameters().get(0) instanceof AllColumns);
    if (name.equals("count") && star) {
      return new AggregateCall(index, Kind.COUNT_STAR, null, f.toString());
    }
    Kind kind =
        !plain
            ? Kind.RESCAN
            : switch (name) {
              case "count" -> Kind.COUNT;
              case "sum" -> Kind.SUM;
              case "avg" -> Kind.AVG;
              case "min" -> Kind.MIN;
              case "max" -> Kind.MAX;
              default -> Kind.RESCAN;
            };
    String argument = kind == Kind.RESCAN ? null : f.getParameters().get(0).toString();
    return new AggregateCall(index, kind, argument, f.toString());
  }

  /**
   * A call recomputed for the affected groups from its text, whatever it is: an aggregate with
   * FILTER ({@code array_agg(x) FILTER (WHERE p)}) evaluates its filter over the group's rows.
   */
  static AggregateCall recomputed(int index, String call) {
    return new AggregateCall(index, Kind.RESCAN, null, call);
  }

  String column(String suffix) {
    return Sql.identifier("a" + index + "_" + suffix);
  }

  /** State columns as a SELECT list over the block's rows, for creating and rescanning state. */
  String stateSelect() {
    return switch (kind) {
      case COUNT_STAR -> "";
      case COUNT -> "count(" + argument + ") AS " + column("n");
      case SUM, AVG -> "sum(" + argument + ") AS " + column("s") + ", count(" + argument + ") AS " + column("n");
      case MIN -> "min(" + argument + ") AS " + column("v");
      case MAX -> "max(" + argument + ") AS " + column("v");
      case RESCAN -> call + " AS " + column("v");
    };
  }

  /** Per-group delta columns over weighted delta rows with the argument as {@code x<index>}. */
  String deltaSelect() {
    String x = Sql.identifier("x" + index);
    String w = DeltaNames.WEIGHT;
    String nonNull = "sum(CASE WHEN " + x + " IS NOT NULL THEN " + w + " ELSE 0 END) AS " + column("dn");
    return switch (kind) {
      case COUNT_STAR, RESCAN -> "";
      case COUNT -> nonNull;
      case SUM, AVG -> "sum(" + x + " * " + w + ") AS " + column("ds") + ", " + nonNull;
      case MIN, MAX -> {
        String f = kind == Kind.MIN ? "min" : "max";
        yield f + "(" + x + ") FILTER (WHERE " + w + " > 0) AS " + column("ins") + ", "
            + f + "(" + x + ") FILTER (WHERE " + w + " < 0) AS " + column("del");
      }
    };
  }

  /** SET items of the state MERGE for a matched group ({@code s} state, {@code d} delta). */
  String mergeSet() {
    String n = column("n");
    return switch (kind) {
      case COUNT_STAR, RESCAN -> "";
      case COUNT -> n + " = s." + n + " + COALESCE(d." + column("dn") + ", 0)";
      case SUM, AVG -> column("s") + " = COALESCE(s." + column("s") + " + d." + column("ds") + ", s."
          + column("s") + ", d." + column("ds") + "), " + n + " = s." + n + " + COALESCE(d." + column("dn") + ", 0)";
      case MIN -> column("v") + " = LEAST(s." + column("v") + ", d." + column("ins") + ")";
      case MAX -> column("v") + " = GREATEST(s." + column("v") + ", d." + column("ins") + ")";
    };
  }

  /** Columns and values the state MERGE inserts for a new group. */
  String[] mergeInsert() {
    return switch (kind) {
      case COUNT_STAR -> new String[0];
      case COUNT -> new String[] {column("n"), "COALESCE(d." + column("dn") + ", 0)"};
      case SUM, AVG -> new String[] {column("s") + ", " + column("n"), "d." + column("ds") + ", COALESCE(d." + column("dn") + ", 0)"};
      case MIN, MAX -> new String[] {column("v"), "d." + column("ins")};
      case RESCAN -> new String[] {column("v"), "NULL"};
    };
  }

  /**
   * When this call forces a rescan of a group ({@code d} delta, {@code o} old state), or null if
   * it never does.
   */
  String rescanCondition() {
    return switch (kind) {
      case COUNT_STAR, COUNT, SUM, AVG -> null;
      case RESCAN -> "TRUE";
      case MIN, MAX -> "(d." + column("del") + " IS NOT NULL AND (o." + column("v") + " IS NULL OR d."
          + column("del") + (kind == Kind.MIN ? " <= " : " >= ") + "o." + column("v") + "))";
    };
  }

  /** The rescanned state column list for {@code UPDATE ... SET}, or null. */
  String rescanSet() {
    return rescanCondition() == null ? null : column("v") + " = r." + column("v");
  }

  /** The call's value computed from a state row {@code s}. */
  String result() {
    return switch (kind) {
      case COUNT_STAR -> "s.\"__pgt_count\"";
      case COUNT -> "s." + column("n");
      case SUM -> "(CASE WHEN s." + column("n") + " > 0 THEN s." + column("s") + " END)";
      case AVG -> "(CASE WHEN s." + column("n") + " > 0 THEN s." + column("s") + " / s." + column("n") + "::numeric END)";
      case MIN, MAX, RESCAN -> "s." + column("v");
    };
  }
}

package dev.trickle.immediate;

import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.Step;
import dev.trickle.sql.Sql;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Prints a plan's steps into a PL/pgSQL trigger body, in one of two forms.
 *
 * <p>{@link #planned} prints every statement as static SQL of the function, which PL/pgSQL parses
 * and plans once per session and trigger and then reuses; a fill empties its work table and
 * inserts into it, so the tables ({@link #workTables}) must exist, created once per session. This
 * is the form of every statement's own maintenance.
 *
 * <p>{@link #transactionScoped} prints every statement as {@code EXECUTE} of its text, with fills
 * creating their table for the transaction (as {@link Step#transactionScoped} does, without the
 * NOTICE of a {@code DROP TABLE IF EXISTS} that finds nothing): the form of the rare maintenance whose work tables
 * are not kept (several sources changed by one statement, the repopulation after {@code
 * TRUNCATE}).
 */
final class TriggerSteps {
  /** The PL/pgSQL variable that holds a loop's condition. */
  static final String MORE = "__pgt_more";

  /** The PL/pgSQL variable that counts a loop's iterations. */
  static final String ITERATIONS = "__pgt_iterations";

  private TriggerSteps() {}

  /** Appends the steps as static SQL; fills refill session work tables. */
  static void planned(StringBuilder body, List<Step> steps, String indent, LoopLimit limit) {
    for (Step step : steps) {
      if (step.isLoop()) {
        loop(body, step, indent, true, limit);
      } else if (step.isFill()) {
        body.append(indent).append("DELETE FROM ").append(step.fills()).append(";\n");
        body.append(indent).append("INSERT INTO ").append(step.fills()).append(' ')
            .append(step.sql()).append(";\n");
      } else {
        body.append(indent).append(step.sql()).append(";\n");
      }
    }
  }

  /** Appends the steps as {@code EXECUTE} of their text; fills create transaction tables. */
  static void transactionScoped(
      StringBuilder body, List<Step> steps, String indent, LoopLimit limit) {
    for (Step step : steps) {
      if (step.isLoop()) {
        loop(body, step, indent, false, limit);
      } else if (step.isFill()) {
        dropIfExists(body, step.fills(), indent);
        body.append(indent).append("EXECUTE ").append(Sql.literal(
            "CREATE TEMP TABLE " + step.fills() + " ON COMMIT DROP AS " + step.sql())).append(";\n");
      } else {
        body.append(indent).append("EXECUTE ").append(Sql.literal(step.sql())).append(";\n");
      }
    }
  }

  /**
   * Appends the drop of a temporary table if it exists, without the NOTICE {@code DROP TABLE IF
   * EXISTS} would send the writer's client when it does not.
   */
  static void dropIfExists(StringBuilder body, String table, String indent) {
    body.append(indent).append("IF pg_catalog.to_regclass(").append(Sql.literal(table))
        .append(") IS NOT NULL THEN\n");
    body.append(indent).append("  DROP TABLE ").append(table).append(";\n");
    body.append(indent).append("END IF;\n");
  }

  /**
   * A fixpoint loop: the body, then the condition, repeated while it holds; past the loop rule's
   * limit it fails with the rule's error ({@link LoopLimit}), as every other printed loop does.
   */
  private static void loop(
      StringBuilder body, Step step, String indent, boolean planned, LoopLimit limit) {
    body.append(indent).append(ITERATIONS).append(" := 0;\n");
    body.append(indent).append("LOOP\n");
    if (planned) {
      planned(body, step.body(), indent + "  ", limit);
      body.append(indent).append("  ").append(MORE).append(" := (").append(step.sql()).append(");\n");
    } else {
      transactionScoped(body, step.body(), indent + "  ", limit);
      body.append(indent).append("  EXECUTE ").append(Sql.literal(step.sql())).append(" INTO ")
          .append(MORE).append(";\n");
    }
    body.append(indent).append("  ").append(ITERATIONS).append(" := ").append(ITERATIONS)
        .append(" + 1;\n");
    body.append(indent).append("  EXIT WHEN NOT ").append(MORE).append(";\n");
    body.append(indent).append("  ").append(limit.plpgsqlCheck(ITERATIONS)).append('\n');
    body.append(indent).append("END LOOP;\n");
  }

  /**
   * The fills of the steps, loops included, in the order they are first filled, each with the
   * query that fixes its columns (the first that fills it).
   */
  static List<Step> workTables(List<Step> steps) {
    Set<String> seen = new LinkedHashSet<>();
    List<Step> fills = new java.util.ArrayList<>();
    collect(steps, seen, fills);
    return fills;
  }

  private static void collect(List<Step> steps, Set<String> seen, List<Step> fills) {
    for (Step step : steps) {
      if (step.isLoop()) {
        collect(step.body(), seen, fills);
      } else if (step.isFill() && seen.add(step.fills())) {
        fills.add(step);
      }
    }
  }
}

package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The one printer of a plan's {@link Step}s, with an output for each way they run: a statement
 * batch ({@link #statements}), a server-side loop ({@link #serverSideLoop}, one {@code DO} block),
 * a trigger body ({@link #triggerBody}, PL/pgSQL run inside the writing transaction, in one of two
 * {@link TriggerForm}s) and the text of {@code explain_st} ({@link #explain}). Every loop it prints
 * follows one rule, {@link LoopLimit}: at most {@link LoopLimit#MAX_ITERATIONS} runs of the body,
 * then an error with SQLSTATE 54000 naming the stream table.
 *
 * <p>A loop prints as a PL/pgSQL block of its own: the body once, then {@code LOOP}, leave when
 * the condition is false, fail at the limit, the body again. The body is printed twice because a
 * fill may print differently the first time (a session's work table is created then, refilled
 * after). A block declares its own counter, so loops nest without a declaration outside.
 *
 * <p>PL/pgSQL statements are static (parsed and planned once per session, then reused) or dynamic
 * ({@code EXECUTE} of their text, planned at every run): a server-side loop and a {@link
 * TriggerForm#PLANNED} trigger body are static, a {@link TriggerForm#TRANSACTION_SCOPED} one is
 * dynamic, since its statements read tables the same function creates a moment before.
 */
public final class StepPrinter {
  /** The statements a fill becomes: each runner keeps its temporary tables its own way. */
  @FunctionalInterface
  public interface Fills {
    /** The statements that make {@code fill}'s table hold exactly the rows of its query. */
    List<String> statements(Step fill);
  }

  /** Fills that need nothing from earlier transactions: drop, then create {@code ON COMMIT DROP}. */
  public static final Fills TRANSACTION_SCOPED = Step::transactionScoped;

  /** How a trigger body runs the steps and keeps the tables its fills fill. */
  public enum TriggerForm {
    /**
     * Static statements, planned once per session and trigger; a fill empties its work table and
     * inserts into it, so the tables must exist (created once per session by the caller).
     */
    PLANNED,
    /**
     * {@code EXECUTE} of each statement's text; a fill drops its table if it is there (without the
     * NOTICE of a {@code DROP TABLE IF EXISTS} that finds nothing, which would reach the writer's
     * client) and creates it {@code ON COMMIT DROP}.
     */
    TRANSACTION_SCOPED
  }

  /** Fills of session work tables that exist: empty, then insert. */
  private static final Fills REFILLED =
      fill -> List.of("DELETE FROM " + fill.fills(), "INSERT INTO " + fill.fills() + " " + fill.sql());

  /** One statement of a batch and what its update count means. */
  public record Statement(String sql, Step.Counts counts) {}

  private static final String COUNTER = "__pgt_iterations";
  private static final String MORE = "__pgt_more";

  private final LoopLimit limit;

  /** A printer for the steps maintaining the stream table {@code limit} names. */
  public StepPrinter(LoopLimit limit) {
    this.limit = limit;
  }

  /** The loop rule every printed loop follows. */
  public LoopLimit limit() {
    return limit;
  }

  /**
   * True when {@code loop} can run on the server as one {@link #serverSideLoop}: its body has no
   * loop of its own and no statement whose count the refresh reports.
   */
  public static boolean runsOnServer(Step loop) {
    return loop.body().stream().allMatch(b -> !b.isLoop() && b.counts() == Step.Counts.NONE);
  }

  /**
   * The statements of steps that never loop (a plan's setup, populate and teardown), fills {@link
   * #TRANSACTION_SCOPED}.
   *
   * @throws IllegalArgumentException for a loop among them
   */
  public static List<String> withoutLoops(List<Step> steps) {
    List<String> statements = new ArrayList<>();
    for (Step step : steps) {
      if (step.isLoop()) {
        throw new IllegalArgumentException("setup, populate and teardown steps never loop");
      }
      statements.addAll(TRANSACTION_SCOPED.statements(step));
    }
    return statements;
  }

  /**
   * The statements of a batch for {@code step}: a plain step as it is, a fill as {@code fills}
   * prints it, a loop as one {@link #serverSideLoop}.
   *
   * @throws IllegalArgumentException for a loop that cannot {@link #runsOnServer run on the server}
   */
  public List<Statement> statements(Step step, Fills fills) {
    if (step.isLoop()) {
      return List.of(new Statement(serverSideLoop(step, fills), Step.Counts.NONE));
    }
    if (step.isFill()) {
      return fills.statements(step).stream().map(s -> new Statement(s, Step.Counts.NONE)).toList();
    }
    return List.of(new Statement(step.sql(), step.counts()));
  }

  /**
   * {@code loop} as one {@code DO} block, so a fixpoint costs one statement instead of a round trip
   * per iteration. Its statements are static (they keep their plans across iterations); {@code
   * use_column} keeps a user column from being read as the block's counter.
   *
   * @throws IllegalArgumentException for a loop that cannot {@link #runsOnServer run on the server}
   */
  public String serverSideLoop(Step loop, Fills fills) {
    if (!runsOnServer(loop)) {
      throw new IllegalArgumentException("this loop needs a round trip per iteration: " + loop.sql());
    }
    StringBuilder block = new StringBuilder("\n#variable_conflict use_column\n");
    appendLoop(block, loop, "", Form.of(fills));
    return "DO " + Sql.dollarQuoted(block.toString());
  }

  /**
   * {@code steps} as PL/pgSQL statements for a trigger function's body, each indented by {@code
   * indent}, in {@code form}; loops are blocks that follow the loop rule.
   */
  public String triggerBody(List<Step> steps, String indent, TriggerForm form) {
    StringBuilder body = new StringBuilder();
    appendSteps(body, steps, indent, form == TriggerForm.PLANNED ? Form.of(REFILLED) : Form.DYNAMIC);
    return body.toString();
  }

  /**
   * A PL/pgSQL statement that drops the temporary table {@code table} if it is there, without the
   * NOTICE {@code DROP TABLE IF EXISTS} would send the writer's client when it is not.
   */
  public static String dropIfExists(String table, String indent) {
    return indent + "IF pg_catalog.to_regclass(" + Sql.literal(table) + ") IS NOT NULL THEN\n"
        + indent + "  DROP TABLE " + table + ";\n"
        + indent + "END IF;\n";
  }

  /**
   * {@code steps} as one SQL text for {@code explain_st}: the statements in order, fills {@link
   * #TRANSACTION_SCOPED}, a loop as the body between {@code -- LOOP} and {@code -- WHILE}
   * comments that state the condition and the limit.
   */
  public String explain(List<Step> steps) {
    StringBuilder sql = new StringBuilder();
    appendExplained(sql, steps, "");
    return sql.toString();
  }

  private void appendExplained(StringBuilder sql, List<Step> steps, String indent) {
    for (Step step : steps) {
      if (step.isLoop()) {
        sql.append(indent).append("-- LOOP\n");
        appendExplained(sql, step.body(), indent + "  ");
        sql.append(indent).append("-- WHILE ").append(step.sql())
            .append("; at most ").append(LoopLimit.MAX_ITERATIONS)
            .append(" iterations, then error ").append(LoopLimit.SQLSTATE).append('\n');
      } else {
        for (String statement : TRANSACTION_SCOPED.statements(step)) {
          sql.append(indent).append(statement).append(";\n");
        }
      }
    }
  }

  /**
   * How steps print as PL/pgSQL: static statements with fills as {@code fills} prints them, or
   * {@link #DYNAMIC}.
   */
  private record Form(Fills fills, boolean dynamic) {
    /** {@code EXECUTE} of each statement; fills create their tables for the transaction. */
    static final Form DYNAMIC = new Form(TRANSACTION_SCOPED, true);

    static Form of(Fills fills) {
      return new Form(fills, false);
    }
  }

  private void appendSteps(StringBuilder out, List<Step> steps, String indent, Form form) {
    for (Step step : steps) {
      if (step.isLoop()) {
        appendLoop(out, step, indent, form);
      } else if (form.dynamic() && step.isFill()) {
        out.append(dropIfExists(step.fills(), indent));
        appendStatement(out, "CREATE TEMP TABLE " + step.fills() + " ON COMMIT DROP AS " + step.sql(),
            indent, true);
      } else {
        for (String statement : step.isFill() ? form.fills().statements(step) : List.of(step.sql())) {
          appendStatement(out, statement, indent, form.dynamic());
        }
      }
    }
  }

  private void appendLoop(StringBuilder out, Step loop, String indent, Form form) {
    boolean dynamic = form.dynamic();
    String inner = indent + "  ";
    out.append(indent).append("DECLARE\n");
    out.append(inner).append(COUNTER).append(" int := 1;\n");
    if (dynamic) {
      out.append(inner).append(MORE).append(" boolean;\n");
    }
    out.append(indent).append("BEGIN\n");
    appendSteps(out, loop.body(), inner, form);
    out.append(inner).append("LOOP\n");
    String nested = inner + "  ";
    if (dynamic) {
      out.append(nested).append("EXECUTE ").append(Sql.literal(loop.sql())).append(" INTO ")
          .append(MORE).append(";\n");
      out.append(nested).append("EXIT WHEN NOT ").append(MORE).append(";\n");
    } else {
      out.append(nested).append("EXIT WHEN NOT (").append(loop.sql()).append(");\n");
    }
    out.append(nested).append(limit.plpgsqlCheck(COUNTER)).append('\n');
    appendSteps(out, loop.body(), nested, form);
    out.append(nested).append(COUNTER).append(" := ").append(COUNTER).append(" + 1;\n");
    out.append(inner).append("END LOOP;\n");
    out.append(indent).append("END;\n");
  }

  private static void appendStatement(StringBuilder out, String sql, String indent, boolean dynamic) {
    out.append(indent);
    if (dynamic) {
      out.append("EXECUTE ").append(Sql.literal(sql));
    } else {
      out.append(sql);
    }
    out.append(";\n");
  }
}

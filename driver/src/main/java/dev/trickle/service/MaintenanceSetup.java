package dev.trickle.service;

import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.ServerNotices;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableSpec;
import dev.trickle.refresh.Compilation;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.PlanDescription;
import dev.trickle.refresh.OwnerExecutor;
import dev.trickle.refresh.StatementBatch;
import dev.trickle.refresh.StreamTableDefinition;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses how a stream table is maintained and sets it up: FULL when requested; otherwise asks the
 * {@link MaintenanceCompiler}. When differential maintenance is impossible (the compiler says so,
 * or a source's changes cannot be captured), AUTO falls back to FULL with a WARNING and
 * DIFFERENTIAL is refused with 0A000; both name the reason, which is also stored as {@code
 * mode_reason}. When it is possible the compiler's setup statements run and its teardown
 * statements are stored, preceded by drops of the indexes the setup created on the storage table,
 * so that a changed query or mode starts from the bare storage table.
 */
final class MaintenanceSetup {
  private MaintenanceSetup() {}

  /** Decides and sets up the maintenance of the cataloged stream table; returns its new spec. */
  static StreamTableSpec apply(Connection c, MaintenanceCompiler compiler, StreamTable st)
      throws SQLException {
    StreamTableSpec spec = st.spec();
    RefreshMode requested = spec.requestedMode();
    StreamTableSpec result;
    if (requested == RefreshMode.IMMEDIATE) {
      result = immediate(c, compiler, st, spec);
    } else if (requested == RefreshMode.FULL) {
      result = spec.withMaintenance(RefreshMode.FULL, null, List.of());
      StreamTableCatalog.setPlanDescription(c, st.pgtId(), List.of("FULL (requested)"), null);
    } else {
      String obstacle = uncapturableSource(c, st);
      Compilation compilation =
          obstacle == null
              ? compiler.compile(c, StreamTableDefinition.load(c, st))
              : new Compilation.FullOnly("source", 0, obstacle);
      if (compilation instanceof Compilation.Differential differential) {
        List<String> teardown = setUp(c, st, differential.setupStatements());
        teardown.addAll(differential.teardownStatements());
        describe(c, st, differential.description());
        result = spec.withMaintenance(RefreshMode.DIFFERENTIAL, null, teardown);
      } else {
        String reason = ((Compilation.FullOnly) compilation).describe();
        if (requested == RefreshMode.DIFFERENTIAL) {
          throw SqlState.UNSUPPORTED.exception(
              "stream table "
                  + st.displayName()
                  + " cannot use refresh_mode DIFFERENTIAL: "
                  + reason
                  + "; use refresh_mode AUTO or FULL");
        }
        ServerNotices.warning(
            c, "stream table " + st.displayName() + " uses FULL refresh: " + reason);
        result = spec.withMaintenance(RefreshMode.FULL, reason, List.of());
        StreamTableCatalog.setPlanDescription(c, st.pgtId(), List.of("FULL: " + reason), null);
      }
    }
    StreamTableCatalog.updateSpec(c, st.pgtId(), result);
    return result;
  }

  /** Stores the plan for explain_st and warns about join columns without an index. */
  private static void describe(Connection c, StreamTable st, PlanDescription description)
      throws SQLException {
    StreamTableCatalog.setPlanDescription(c, st.pgtId(), description.explain(), description.deltaSql());
    IndexAdvice.warnMissing(c, st.displayName(), description.probedColumns());
  }

  /** Runs the stored teardown statements of the current maintenance. */
  static void tearDown(Connection c, StreamTable st) throws SQLException {
    run(c, st.spec().teardownSql());
  }

  /**
   * IMMEDIATE: the differential program's setup, then trigger programs on every source that keep
   * the stream table current inside each writing transaction. Queries without a differential rule
   * are refused (there is no FULL fallback inside a writer's transaction), and so is a caller's
   * REPEATABLE READ or SERIALIZABLE transaction, whose snapshot may predate writes that commit
   * before the triggers exist: the population that follows would miss them, and so would the
   * triggers. In READ COMMITTED creating the triggers waits for the writers of every source and
   * holds them off until commit, and the population's statements see everything they committed.
   */
  private static StreamTableSpec immediate(
      Connection c, MaintenanceCompiler compiler, StreamTable st, StreamTableSpec spec)
      throws SQLException {
    if (c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
      throw ImmediateRefusals.oldSnapshot(st.displayName());
    }
    String obstacle = uncapturableSource(c, st);
    Compilation compilation =
        obstacle == null
            ? compiler.compile(c, StreamTableDefinition.load(c, st))
            : new Compilation.FullOnly("source", 0, obstacle);
    if (!(compilation instanceof Compilation.Differential differential)
        || differential.immediateInstall().isEmpty()) {
      String reason =
          compilation instanceof Compilation.FullOnly fullOnly
              ? fullOnly.describe()
              : "its sources cannot be maintained by triggers";
      throw SqlState.UNSUPPORTED.exception(
          "stream table "
              + st.displayName()
              + " cannot use refresh_mode IMMEDIATE: "
              + reason
              + "; use refresh_mode AUTO, DIFFERENTIAL or FULL");
    }
    List<String> dropIndexes = setUp(c, st, differential.setupStatements());
    asOwner(c, st, differential.immediateInstall());
    describe(c, st, differential.description());
    List<String> teardown = new ArrayList<>(differential.immediateUninstall());
    teardown.addAll(dropIndexes);
    teardown.addAll(differential.teardownStatements());
    return spec.withMaintenance(RefreshMode.IMMEDIATE, null, teardown);
  }

  private static String uncapturableSource(Connection c, StreamTable st) throws SQLException {
    for (Dependency d : DependencyCatalog.of(c, st.pgtId())) {
      if (d.kind().uncapturable()) {
        String what =
            switch (d.kind()) {
              case MATERIALIZED_VIEW -> "a materialized view";
              case FOREIGN_TABLE -> "a foreign table";
              default -> "a partition named directly (read its partitioned table instead)";
            };
        return "source " + d.displayName() + " is " + what + ", whose changes cannot be captured";
      }
    }
    return null;
  }

  /**
   * Runs the plan's setup statements; returns the statements that drop the indexes they created on
   * the storage table ({@link StorageIndexes}), to run first in the teardown.
   */
  private static List<String> setUp(Connection c, StreamTable st, List<String> setup)
      throws SQLException {
    Set<String> before = StorageIndexes.of(c, st.relid());
    asOwner(c, st, setup);
    return new ArrayList<>(StorageIndexes.dropsOfNew(c, st.relid(), before));
  }

  /**
   * Runs {@code statements} as the stream table's owner ({@link OwnerExecutor}), so that what they
   * create (state tables, trigger functions, indexes) is the owner's whoever sets the mode up.
   */
  private static void asOwner(Connection c, StreamTable st, List<String> statements)
      throws SQLException {
    if (statements.isEmpty()) {
      return;
    }
    StatementBatch batch = new StatementBatch();
    statements.forEach(batch::add);
    OwnerExecutor.of(c, st).run(batch);
  }

  private static void run(Connection c, List<String> statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }
}

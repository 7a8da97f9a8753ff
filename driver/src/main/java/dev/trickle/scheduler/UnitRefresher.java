package dev.trickle.scheduler;

import dev.trickle.catalog.ServerErrors;
import dev.trickle.catalog.SqlState;
import dev.trickle.refresh.InitiatedBy;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.refresh.RefreshOutcome;
import dev.trickle.refresh.RefreshTarget;
import dev.trickle.refresh.StatementBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes one {@link RefreshUnit} through the {@link RefreshEngine} on a worker connection.
 *
 * <p>A single stream table refreshes in its own transaction; a busy one (its refresh lock held, by
 * a manual refresh for instance) is skipped. A diamond group refreshes in one REPEATABLE READ
 * transaction, each member under the engine's savepoint: every member reads its sources at the
 * transaction's one snapshot, so the convergence point never combines two states of the shared
 * source, and the engine's frontier counts the transaction's own writes as visible, so the
 * convergence point consumes what the members upstream of it wrote in the same transaction,
 * exactly once. When a member fails, the whole group rolls back (no member moves without the
 * others), and the failing member is then refreshed alone so that its failure is recorded (or, if
 * it passes alone, its readers catch up together in the next pass). Consumed change-buffer rows are
 * cleaned up after the commit.
 */
final class UnitRefresher {
  /** How an attempt ended. */
  enum Result {
    /** Every member refreshed. */
    REFRESHED,
    /** Not attempted: a member was being refreshed elsewhere, or was suspended meanwhile. */
    SKIPPED,
    /** A member failed; the engine recorded it. */
    FAILED
  }

  private static final Logger LOG = LoggerFactory.getLogger(UnitRefresher.class);
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private final RefreshEngine engine;

  /** A refresher running refreshes through {@code engine}. */
  UnitRefresher(RefreshEngine engine) {
    this.engine = engine;
  }

  /**
   * Deletes the change-buffer rows the unit's members consumed and nobody needs any more; the
   * scheduler calls it after its pass, once the changes have reached the top of every chain.
   *
   * @param c a connection in autocommit
   */
  void cleanUp(Connection c, RefreshUnit unit) throws SQLException {
    for (StreamTableNode member : unit.members()) {
      engine.cleanUp(c, member.pgtId());
    }
  }

  /**
   * Refreshes the unit on {@code c} (in autocommit); the change-buffer cleanup is left to {@link
   * #cleanUp}. {@code journal} holds the worker's job-journal writes (this unit's start, the
   * previous unit's end); they go with the refresh's first read, in one round trip.
   *
   * @throws SQLException only when the connection itself failed; the caller discards it
   */
  Result refresh(Connection c, RefreshUnit unit, int maxConsecutiveErrors, StatementBatch journal)
      throws SQLException {
    if (unit.atomic()) {
      journal.run(c);
      return refreshGroup(c, unit, maxConsecutiveErrors);
    }
    return refreshSingle(c, unit.members().get(0), maxConsecutiveErrors, journal);
  }

  private Result refreshSingle(
      Connection c, StreamTableNode st, int maxConsecutiveErrors, StatementBatch journal)
      throws SQLException {
    long start = System.nanoTime();
    try {
      List<Optional<RefreshTarget>> found = new ArrayList<>(1);
      RefreshTarget.load(journal, String.valueOf(st.pgtId()), found::add);
      journal.run(c);
      if (found.get(0).isEmpty()) {
        RefreshLog.skipped(st, "it was dropped");
        return Result.SKIPPED;
      }
      Optional<RefreshOutcome> outcome =
          engine.refreshUnlessBusy(
              c, found.get(0).get(), InitiatedBy.SCHEDULER, maxConsecutiveErrors);
      if (outcome.isEmpty()) {
        RefreshLog.skipped(st, "another transaction is refreshing it");
        return Result.SKIPPED;
      }
      RefreshLog.refreshed(st, outcome.get(), start);
      return Result.REFRESHED;
    } catch (SQLException e) {
      return failed(c, st, e);
    }
  }

  private Result refreshSingle(Connection c, StreamTableNode st, int maxConsecutiveErrors)
      throws SQLException {
    return refreshSingle(c, st, maxConsecutiveErrors, new StatementBatch());
  }

  private Result refreshGroup(Connection c, RefreshUnit unit, int maxConsecutiveErrors)
      throws SQLException {
    long start = System.nanoTime();
    StreamTableNode current = null;
    c.setAutoCommit(false);
    try {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      if (!lockMembers(c, unit)) {
        c.rollback();
        LOG.atDebug().log(
            () -> "skipped diamond group [" + unit.describe() + "]: a member is busy");
        return Result.SKIPPED;
      }
      for (StreamTableNode member : unit.members()) {
        current = member;
        Optional<RefreshOutcome> outcome =
            engine.refreshUnlessBusy(
                c, member.pgtId(), InitiatedBy.SCHEDULER, maxConsecutiveErrors);
        if (outcome.isEmpty()) {
          c.rollback();
          LOG.atDebug().log(
              () ->
                  "skipped diamond group ["
                      + unit.describe()
                      + "]: another transaction is refreshing "
                      + member.name());
          return Result.SKIPPED;
        }
        RefreshLog.refreshed(member, outcome.get(), start);
      }
      c.commit();
    } catch (SQLException e) {
      rollbackQuietly(c);
      restore(c);
      if (isConnectionFailure(e)) {
        throw e;
      }
      if (current == null) {
        LOG.atInfo().log(
            () ->
                "diamond group ["
                    + unit.describe()
                    + "] could not be locked ("
                    + ServerErrors.message(e)
                    + "); refreshing its members alone to record what failed");
        for (StreamTableNode member : unit.members()) {
          refreshSingle(c, member, maxConsecutiveErrors);
        }
        return Result.FAILED;
      }
      if (SqlState.OBJECT_STATE.code().equals(e.getSQLState())) {
        return skippedByState(current, e);
      }
      StreamTableNode failedMember = current;
      LOG.atInfo().log(() ->
              "diamond group ["
                  + unit.describe()
                  + "] rolled back: "
                  + failedMember.name()
                  + " failed ("
                  + ServerErrors.message(e)
                  + "); refreshing it alone to record the failure");
      refreshSingle(c, failedMember, maxConsecutiveErrors);
      return Result.FAILED;
    } finally {
      restore(c);
    }
    LOG.atDebug().log(
        () ->
            "refreshed diamond group ["
                + unit.describe()
                + "] in one transaction, "
                + (System.nanoTime() - start) / 1_000_000
                + " ms");
    return Result.REFRESHED;
  }

  /**
   * Takes every member's storage lock (as the engine does for each, without waiting) as the
   * transaction's first statement: {@code LOCK TABLE} takes no snapshot, so the snapshot all
   * members share is taken after no other refresh of them can still commit.
   */
  private static boolean lockMembers(Connection c, RefreshUnit unit) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "LOCK TABLE "
              + unit.members().stream()
                  .map(StreamTableNode::qualifiedName)
                  .collect(Collectors.joining(", "))
              + " IN SHARE UPDATE EXCLUSIVE MODE NOWAIT");
      return true;
    } catch (SQLException e) {
      if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  private static Result failed(Connection c, StreamTableNode st, SQLException e)
      throws SQLException {
    if (isConnectionFailure(e) || c.isClosed()) {
      throw e;
    }
    if (SqlState.OBJECT_STATE.code().equals(e.getSQLState())) {
      return skippedByState(st, e);
    }
    RefreshLog.failed(c, st, e);
    return Result.FAILED;
  }

  /** The engine refused without recording (suspended meanwhile, or an outdated snapshot). */
  private static Result skippedByState(StreamTableNode st, SQLException e) {
    RefreshLog.skipped(st, e.getMessage());
    return Result.SKIPPED;
  }

  /** True for errors after which the connection cannot be used (SQLState class 08, or 57P0x). */
  static boolean isConnectionFailure(SQLException e) {
    String state = e.getSQLState();
    return state == null || state.startsWith("08") || state.startsWith("57P");
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the caller finds out on its next use
    }
  }

  private static void restore(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    } catch (SQLException ignored) {
      // the connection is broken; the caller finds out on its next use
    }
  }
}

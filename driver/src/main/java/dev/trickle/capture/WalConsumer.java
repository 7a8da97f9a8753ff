package dev.trickle.capture;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WAL capture's consumer, run by the scheduler's leader on a thread of its own (a refresh that
 * waits for it, {@code pgtrickle.await_wal_capture}, may run on the leader's other threads). Its
 * {@link WalCaptureChecks}, on a thread of their own, bring capture in line with the cdc_mode of
 * the stream tables about once a second ({@link WalCaptureLifecycle}); while the slot is needed
 * the consumer streams it through PgJDBC's replication API
 * ({@link PGReplicationStream}, pgoutput, the publication {@value WalCaptureMoves#PUBLICATION},
 * Trickle's position messages included) and writes each committed transaction's changes into the
 * change buffers ({@link WalBufferWriter}). After each write has committed, with the new position
 * in {@code pgtrickle.pgt_wal_capture}, it tells the server the slot may advance to that position:
 * a change is never confirmed before it is in a buffer, and after a restart the changes the
 * catalog says were written are skipped, so none is written twice.
 *
 * <p>A transaction's rows carry its 64-bit id ({@link FullXid}), the one its writes would have
 * carried from the triggers: a refresh's frontier decides by that id which rows it consumes.
 */
public final class WalConsumer implements AutoCloseable {
  /** Where the consumer gets its connections. */
  public interface Connections {
    /** A plain connection, in autocommit, whose commits are durable. */
    Connection plain(String purpose) throws SQLException;

    /** A replication connection ({@code replication=database}) to the same database. */
    Connection replication() throws SQLException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(WalConsumer.class);
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  private static final Duration IDLE_WAIT = Duration.ofMillis(2);
  private static final Duration IDLE_CHECK = Duration.ofMillis(100);
  private static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(100);
  private static final int MAX_TRANSACTIONS_PER_WRITE = 1000;
  private static final Duration FLUSH_NUDGE_INTERVAL = Duration.ofMillis(20);
  private static final int FIRST_MAJOR_FLUSHING_MESSAGES = 17;
  private static final Duration IDLE_CONFIRM_INTERVAL = Duration.ofSeconds(1);

  private final String database;
  private final Connections connections;
  private final CaptureThread thread;
  private final WalCaptureChecks checks;

  private Connection control;
  private Connection writer;
  private Connection replication;
  private PGReplicationStream stream;
  private String slot;
  private long confirmed;
  private long seen;
  private final Map<Integer, PgOutputMessage.RelationInfo> relations = new HashMap<>();
  private final WalBufferWriter buffers = new WalBufferWriter();
  private WalTransaction open;
  private int transactionsPending;
  /** Before PostgreSQL 17 a position message cannot ask for its flush ({@link #nudgeFlush}). */
  private boolean flushesMessages;
  private long nextNudge;
  private long nextIdleConfirm;

  /**
   * A consumer of {@code database}'s slot; {@link #start} runs it.
   *
   * @param checkInterval how often its {@link WalCaptureChecks} run: the scheduler's interval
   *     ({@code pg_trickle.scheduler_interval_ms}), at least 100 ms
   */
  public WalConsumer(String database, Connections connections, Duration checkInterval) {
    this.database = database;
    this.connections = connections;
    this.checks = new WalCaptureChecks(database, connections,
        checkInterval.compareTo(MIN_CHECK_INTERVAL) < 0 ? MIN_CHECK_INTERVAL : checkInterval);
    this.thread = new CaptureThread("trickle-wal-capture-" + database, this::run);
  }

  /** Starts the consumer's thread. */
  public void start() {
    thread.start();
  }

  /** Stops the consumer (what it has written stays; what it has not, the slot keeps). */
  @Override
  public void close() {
    thread.stop();
  }

  private void run() {
    checks.start();
    Duration backoff = CHECK_INTERVAL;
    while (!thread.stopping()) {
      try {
        if (!checks.slotNeeded()) {
          closeStream();
          thread.pause(IDLE_CHECK);
          continue;
        }
        if (control == null) {
          control = connections.plain("wal capture");
          slot = WalSlot.name(control);
        }
        if (stream == null) {
          openStream();
        }
        if (!consume()) {
          thread.pause(IDLE_WAIT);
        }
        backoff = CHECK_INTERVAL;
      } catch (SQLException | RuntimeException e) {
        if (thread.stopping()) {
          break;
        }
        Duration wait = backoff;
        LOG.atWarn().log(
            () -> "WAL capture of " + database + " failed (" + e.getMessage() + "); retrying in "
                + wait.toSeconds() + " s");
        closeAll();
        thread.pause(wait);
        backoff = CaptureThread.nextBackoff(backoff);
      }
    }
    closeAll();
    checks.close();
  }

  private void openStream() throws SQLException {
    confirmed = WalSlot.ensure(control, slot);
    seen = confirmed;
    if (writer == null) {
      writer = connections.plain("wal capture writer");
      writer.setAutoCommit(false);
      flushesMessages =
          writer.getMetaData().getDatabaseMajorVersion() >= FIRST_MAJOR_FLUSHING_MESSAGES;
    }
    replication = connections.replication();
    stream =
        replication
            .unwrap(PGConnection.class)
            .getReplicationAPI()
            .replicationStream()
            .logical()
            .withSlotName(slot)
            .withStartPosition(LogSequenceNumber.valueOf(confirmed))
            .withSlotOption("proto_version", "1")
            .withSlotOption("publication_names", WalCaptureMoves.PUBLICATION)
            .withSlotOption("messages", "true")
            .withStatusInterval(1, TimeUnit.SECONDS)
            .withAutomaticFlush(false)
            .start();
    relations.clear();
    open = null;
    checks.streaming(true);
    LOG.atInfo().log(() -> "consuming replication slot " + slot + " from "
        + WalPositions.text(confirmed));
  }

  /**
   * Reads what the server has sent and writes it when a read comes up empty or enough
   * transactions wait; false when nothing was there.
   */
  private boolean consume() throws SQLException {
    ByteBuffer message = stream.readPending();
    if (message == null) {
      passIdlePosition();
      flush();
      nudgeFlush();
      return false;
    }
    handle(PgOutputMessage.parse(message));
    if (transactionsPending >= MAX_TRANSACTIONS_PER_WRITE) {
      flush();
    }
    return true;
  }

  private void handle(PgOutputMessage message) throws SQLException {
    if (message instanceof PgOutputMessage.Begin begin) {
      open = new WalTransaction(begin.xid());
    } else if (message instanceof PgOutputMessage.RelationInfo relation) {
      relations.put(relation.relid(), relation);
    } else if (message instanceof PgOutputMessage.Change change) {
      open.add(relations.get(change.relid()), change);
    } else if (message instanceof PgOutputMessage.Truncate truncate) {
      truncate.relids().forEach(relid -> open.addTruncate(Integer.toUnsignedLong(relid)));
    } else if (message instanceof PgOutputMessage.Commit commit) {
      open.committed(commit.endLsn());
      if (Long.compareUnsigned(commit.endLsn(), confirmed) > 0) {
        if (!open.changes().isEmpty()) {
          buffers.add(writer, open);
          transactionsPending++;
        }
        seen = Math.max(seen, commit.endLsn());
      }
      open = null;
    } else if (message instanceof PgOutputMessage.Message position) {
      seen = Math.max(seen, position.lsn());
    }
  }

  /**
   * While nothing is open or waits to be written, takes the position the server's keepalives
   * report as seen, at most every {@link #IDLE_CONFIRM_INTERVAL}: the server has sent every
   * transaction that committed before it (an open one commits after it), so the slot may advance
   * there and retain no WAL for writes to other tables. The client library's own confirmation of
   * keepalive positions is off ({@code withAutomaticFlush(false)}): the server's position of the
   * slot is always the one the catalog records, where streaming restarts.
   */
  private void passIdlePosition() {
    if (open != null || !buffers.isEmpty() || System.nanoTime() - nextIdleConfirm < 0) {
      return;
    }
    long received = stream.getLastReceiveLSN().asLong();
    if (received > seen) {
      seen = received;
      nextIdleConfirm = System.nanoTime() + IDLE_CONFIRM_INTERVAL.toNanos();
    }
  }

  /**
   * Before PostgreSQL 17, {@code pg_logical_emit_message} cannot flush the message it writes, and
   * the WAL writer flushes a partial page only for an asynchronous commit: a refresh waiting for
   * the consumer to pass its message could wait until other writes filled the page. So, while
   * idle, the consumer commits an empty transaction with an id (its commit record is flushed, and
   * everything before it) whenever the server has WAL written but not flushed, at most every
   * {@link #FLUSH_NUDGE_INTERVAL}.
   */
  private void nudgeFlush() throws SQLException {
    if (flushesMessages || System.nanoTime() - nextNudge < 0) {
      return;
    }
    nextNudge = System.nanoTime() + FLUSH_NUDGE_INTERVAL.toNanos();
    try (Statement st = writer.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.pg_current_wal_insert_lsn()"
                    + " > pg_catalog.pg_current_wal_flush_lsn()")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        writer.commit();
        return;
      }
    }
    try (Statement st = writer.createStatement()) {
      st.execute("SELECT pg_catalog.pg_current_xact_id()");
    }
    writer.commit();
  }

  /** Writes what was decoded and confirms the position to the catalog and then to the server. */
  private void flush() throws SQLException {
    if (open != null || seen <= confirmed) {
      return;
    }
    try {
      buffers.commit(writer, seen);
    } catch (SQLException e) {
      writer.rollback();
      buffers.discard();
      throw e;
    }
    confirmed = seen;
    transactionsPending = 0;
    LogSequenceNumber lsn = LogSequenceNumber.valueOf(confirmed);
    stream.setFlushedLSN(lsn);
    stream.setAppliedLSN(lsn);
    stream.forceUpdateStatus();
  }

  private void closeStream() {
    if (stream != null) {
      try {
        stream.close();
      } catch (SQLException e) {
        LOG.atDebug().log(() -> "closing the replication stream: " + e.getMessage());
      }
      stream = null;
    }
    replication = close(replication);
    checks.streaming(false);
    buffers.discard();
    transactionsPending = 0;
  }

  private void closeAll() {
    closeStream();
    writer = close(writer);
    control = close(control);
  }

  private static Connection close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.atDebug().log(() -> "closing a WAL capture connection: " + e.getMessage());
      }
    }
    return null;
  }
}

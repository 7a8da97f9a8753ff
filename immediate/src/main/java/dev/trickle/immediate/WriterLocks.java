package dev.trickle.immediate;

import dev.trickle.ivm.GroupLocking;
import dev.trickle.ivm.KeyLocking;
import dev.trickle.ivm.Step;
import dev.trickle.sql.Sql;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * The locks that let concurrent writers of an IMMEDIATE stream table's sources maintain it exactly
 * and without deadlocks, printed into its trigger functions.
 *
 * <p><b>The gate.</b> Every transaction that writes a source takes, once, in the BEFORE statement
 * trigger of its first such statement (before the statement locks any source row), the database's
 * IMMEDIATE gate: a transaction-level advisory lock on the bigint {@link #GATE_KEY}. SQL gives a
 * trigger no way to know whether a statement is its transaction's last, and a transaction that
 * comes back to the stream table in a later statement can meet its groups and rows in any order
 * relative to those it holds; so the session's history decides. A session takes the gate
 * exclusive (waiting for, and holding off, every other writer of every IMMEDIATE stream table of
 * the database) until {@link #SINGLE_TRANSACTIONS} of its transactions in a row wrote sources in
 * one statement each; then shared, so that its writers wait only for writers of their groups. A
 * later writing statement of a transaction resets the count, and when the transaction holds the
 * gate shared it takes it exclusive there. {@code TRUNCATE} takes it exclusive. The stream table's
 * lock row is then updated once per transaction by the writers of a plan that locks neither
 * groups nor keys: it serializes them, and in REPEATABLE READ and SERIALIZABLE it makes a writer
 * whose snapshot misses another's maintenance fail with 40001.
 *
 * <p><b>Groups.</b> A plan that offers {@link GroupLocking} (an aggregate over one source whose rows
 * are matched by the group key) locks, right after it has computed the changed groups and before
 * it reads or writes any state or stream table row, one transaction-level advisory lock per
 * changed group: the two-int key (stream table id, bucket of the group key's hash in
 * {@value #BUCKETS}), taken in bucket order in one statement. Writers of different groups go on
 * side by side (unless their groups share a bucket); writers of one group wait for each other
 * there, and the waiting one's statements then read what the other committed (READ COMMITTED takes
 * a new snapshot per statement). Every wait of a statement that is its own transaction is for a
 * lock ordered after all it holds (the gate first, then buckets in order, and source rows only
 * before any bucket), so those writers never deadlock with each other. The one wait out of that
 * order is the exclusive gate taken by the second writing statement of a transaction that holds
 * it shared: it can meet a writer waiting for what the transaction holds (a deadlock the server
 * breaks with 40P01), only when a session that wrote {@link #SINGLE_TRANSACTIONS}
 * single-statement transactions in a row turns to writing in several.
 *
 * <p>In REPEATABLE READ and SERIALIZABLE a concurrent writer's commit after the snapshot shows up
 * as an update of a state row that changed (40001 from the server) or as the insert of a group
 * another writer created, a unique violation on the state's group key that is turned into 40001
 * here; a wrong stream table is never the result.
 *
 * <p><b>Join keys.</b> A plan that offers {@link KeyLocking} (inner joins through one key) locks,
 * before it reads or writes any stream table row, one advisory lock per distinct key value of the
 * statement's changed rows (old and new images, from the delta tables), keyed and ordered like the
 * group locks. A join has no state row whose update would tell a writer that its snapshot misses a
 * concurrent maintenance of its key, so its lock table holds one row per bucket instead of the lock
 * row, and every writer then updates the rows of its buckets: in REPEATABLE READ and SERIALIZABLE
 * the update of a bucket another writer updated after the snapshot fails with 40001, whatever the
 * other writer's isolation. Only the holder of a bucket's advisory lock updates its row, so the
 * update never waits and the order argument above holds unchanged.
 */
final class WriterLocks {
  /** The bigint advisory lock key of the IMMEDIATE gate: the bytes of {@code "pgtrickl"}. */
  static final long GATE_KEY = 0x7067747269636b6cL;

  /** The transaction-local record of the gate taken: transaction id, mode, statement timestamp. */
  static final String GATE_SETTING = "pgtrickle.__pgt_imm_gate";

  /**
   * The session setting that counts the session's last transactions that wrote sources in one
   * statement (up to {@link #SINGLE_TRANSACTIONS} + 1).
   */
  static final String SINGLE_SETTING = "pgtrickle.__pgt_imm_single";

  /**
   * A session takes the gate shared once this many of its transactions in a row wrote sources in
   * one statement each.
   */
  static final int SINGLE_TRANSACTIONS = 32;

  /** Group keys are hashed into this many buckets, the most locks one statement takes. */
  static final int BUCKETS = 1024;

  private final int streamId;
  private final String lock;
  private final String lockedSetting;
  private final Optional<GroupLocking> groups;
  private final Optional<KeyLocking> keys;
  private final String storage;

  /**
   * @param streamId the stream table's id, the first half of its group locks' keys
   * @param lock the stream table's lock row table, qualified and quoted
   * @param lockedSetting the transaction-local setting that records the gate as taken
   * @param groups the plan's changed groups, when it can lock them
   * @param keys the plan's join key, when it can lock its values
   * @param storage the stream table, qualified and quoted, for messages
   */
  WriterLocks(
      int streamId, String lock, String lockedSetting, Optional<GroupLocking> groups,
      Optional<KeyLocking> keys, String storage) {
    this.streamId = streamId;
    this.lock = lock;
    this.lockedSetting = lockedSetting;
    this.groups = groups;
    this.keys = groups.isPresent() ? Optional.empty() : keys;
    this.storage = storage;
  }

  /**
   * The statements that create the lock table: one row per bucket of key values for a plan that
   * locks join keys, the one lock row for a plan that locks neither keys nor groups (and, unused,
   * for one that locks groups).
   */
  List<String> installLock() {
    if (keys.isPresent()) {
      return List.of(
          "CREATE TABLE " + lock + " (bucket int PRIMARY KEY, maintained_by pg_catalog.xid8)"
              + " WITH (fillfactor = 50)",
          "INSERT INTO " + lock + " SELECT b, NULL FROM pg_catalog.generate_series(0, " + (BUCKETS - 1)
              + ") AS b",
          "REVOKE ALL ON " + lock + " FROM PUBLIC");
    }
    return List.of(
        "CREATE TABLE " + lock + " (maintained_by pg_catalog.xid8)",
        "INSERT INTO " + lock + " VALUES (NULL)",
        "REVOKE ALL ON " + lock + " FROM PUBLIC");
  }

  /**
   * Appends the gate (and the lock row). The gate's state is one transaction-local setting for
   * all stream tables ({@value #GATE_SETTING}: transaction id, mode, statement timestamp), so a
   * rolled back savepoint takes the lock and the record with it; the session's count of
   * transactions of one writing statement is the session setting {@value #SINGLE_SETTING}.
   */
  void appendGate(StringBuilder body) {
    String xid = "pg_catalog.pg_current_xact_id()::text";
    String stamp = "pg_catalog.statement_timestamp()::text";
    body.append("  __pgt_gate := pg_catalog.current_setting('").append(GATE_SETTING).append("', true);\n");
    body.append("  IF pg_catalog.split_part(__pgt_gate, '/', 1) IS DISTINCT FROM ").append(xid).append(" THEN\n");
    body.append("    __pgt_single := LEAST(COALESCE(NULLIF(pg_catalog.current_setting('")
        .append(SINGLE_SETTING).append("', true), ''), '0')::int + 1, ").append(SINGLE_TRANSACTIONS + 1)
        .append(");\n");
    body.append("    PERFORM pg_catalog.set_config('").append(SINGLE_SETTING)
        .append("', __pgt_single::text, false);\n");
    body.append("    IF TG_OP = 'TRUNCATE' OR __pgt_single <= ").append(SINGLE_TRANSACTIONS).append(" THEN\n");
    body.append("      PERFORM pg_catalog.pg_advisory_xact_lock(").append(GATE_KEY).append(");\n");
    body.append("      __pgt_gate := 'X';\n");
    body.append("    ELSE\n");
    body.append("      PERFORM pg_catalog.pg_advisory_xact_lock_shared(").append(GATE_KEY).append(");\n");
    body.append("      __pgt_gate := 'S';\n");
    body.append("    END IF;\n");
    appendRecord(body, xid, stamp);
    body.append("  ELSIF pg_catalog.split_part(__pgt_gate, '/', 3) <> ").append(stamp)
        .append(" OR TG_OP = 'TRUNCATE' THEN\n");
    body.append("    PERFORM pg_catalog.set_config('").append(SINGLE_SETTING).append("', '0', false);\n");
    body.append("    IF pg_catalog.split_part(__pgt_gate, '/', 2) = 'S' THEN\n");
    body.append("      PERFORM pg_catalog.pg_advisory_xact_lock(").append(GATE_KEY).append(");\n");
    body.append("    END IF;\n");
    body.append("    __pgt_gate := 'X';\n");
    appendRecord(body, xid, stamp);
    body.append("  END IF;\n");
    if (groups.isEmpty() && keys.isEmpty()) {
      body.append("  IF pg_catalog.current_setting(").append(Sql.literal(lockedSetting))
          .append(", true) IS DISTINCT FROM ").append(xid).append(" THEN\n");
      body.append("    UPDATE ").append(lock)
          .append(" SET maintained_by = pg_catalog.pg_current_xact_id();\n");
      body.append("    PERFORM pg_catalog.set_config(").append(Sql.literal(lockedSetting))
          .append(", ").append(xid).append(", true);\n");
      body.append("  END IF;\n");
    }
  }

  private static void appendRecord(StringBuilder body, String xid, String stamp) {
    body.append("    PERFORM pg_catalog.set_config('").append(GATE_SETTING).append("', ").append(xid)
        .append(" || '/' || __pgt_gate || '/' || ").append(stamp).append(", true);\n");
  }

  /**
   * Appends what a {@code TRUNCATE} of a source records for a plan that locks join keys: every
   * bucket row, so that a writer of any key whose snapshot misses the stream table's repopulation
   * fails with 40001 outside READ COMMITTED. It holds the gate exclusive, so no bucket is locked.
   */
  void appendTruncate(StringBuilder body, String indent) {
    if (keys.isPresent()) {
      body.append(indent).append("UPDATE ").append(lock)
          .append(" SET maintained_by = pg_catalog.pg_current_xact_id();\n");
    }
  }

  /** The PL/pgSQL variables {@link #appendGate} and {@link #appendSteps} use. */
  static String declarations() {
    return "  __pgt_gate text;\n  __pgt_single int;\n  __pgt_buckets int[];\n";
  }

  /**
   * Appends the steps of the sources {@code changed} (whose delta tables are filled) through {@code
   * print}, with the lock of the changed groups right after the step that fills them, or the lock
   * of the changed key values before them (as static SQL, or as {@code EXECUTE} of its text when
   * {@code planned} is false).
   */
  void appendSteps(
      StringBuilder body, List<Step> steps, Set<Long> changed, String indent, boolean planned,
      BiConsumer<List<Step>, String> print) {
    if (keys.isPresent() && !steps.isEmpty()) {
      String buckets = "SELECT pg_catalog.array_agg(DISTINCT pg_catalog.abs(k.h % " + BUCKETS
          + ") ORDER BY pg_catalog.abs(k.h % " + BUCKETS + ")) FROM (" + keys.get().keyHashes(changed)
          + ") AS k";
      if (planned) {
        body.append(indent).append("__pgt_buckets := (").append(buckets).append(");\n");
      } else {
        body.append(indent).append("EXECUTE ").append(Sql.literal(buckets)).append(" INTO __pgt_buckets;\n");
      }
      body.append(indent).append("PERFORM pg_catalog.pg_advisory_xact_lock(").append(streamId)
          .append(", u.b) FROM pg_catalog.unnest(__pgt_buckets) WITH ORDINALITY AS u (b, n) ORDER BY u.n;\n");
      body.append(indent).append("UPDATE ").append(lock)
          .append(" SET maintained_by = pg_catalog.pg_current_xact_id() WHERE bucket = ANY (__pgt_buckets);\n");
    }
    int filled = -1;
    for (int i = 0; i < steps.size() && groups.isPresent(); i++) {
      Step step = steps.get(i);
      if (step.isFill() && step.fills().equals(groups.get().groupsTable())) {
        filled = i;
      }
    }
    if (filled < 0) {
      print.accept(steps, indent);
      return;
    }
    print.accept(steps.subList(0, filled + 1), indent);
    String statement = groupLockStatement(groups.get());
    if (planned) {
      body.append(indent).append("PERFORM ").append(statement.substring("SELECT ".length())).append(";\n");
    } else {
      body.append(indent).append("EXECUTE ").append(Sql.literal(statement)).append(";\n");
    }
    print.accept(steps.subList(filled + 1, steps.size()), indent);
  }

  /** One statement that locks the groups' buckets in order. */
  private String groupLockStatement(GroupLocking locking) {
    String key = "ROW(" + locking.keyColumns().stream().map(c -> "g." + Sql.identifier(c))
        .collect(Collectors.joining(", ")) + ")::text";
    return "SELECT pg_catalog.pg_advisory_xact_lock(" + streamId + ", q.bucket) FROM (SELECT DISTINCT"
        + " pg_catalog.abs(pg_catalog.hashtext(" + key + ") % " + BUCKETS + ") AS bucket FROM "
        + locking.groupsTable() + " AS g ORDER BY 1 OFFSET 0) AS q";
  }

  /**
   * Appends the handler that turns a unique violation of a statement outside READ COMMITTED (a
   * group another writer created after the snapshot) into a serialization failure; in READ
   * COMMITTED it is raised as it is.
   */
  void appendUniqueViolationHandler(StringBuilder body) {
    body.append("  EXCEPTION WHEN unique_violation THEN\n");
    body.append("    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN\n");
    body.append("      RAISE EXCEPTION USING ERRCODE = 'serialization_failure', MESSAGE = ")
        .append(Sql.literal("could not serialize access to stream table " + storage
            + ": a concurrent transaction changed the same rows"))
        .append(", HINT = 'Retry the transaction.';\n");
    body.append("    END IF;\n");
    body.append("    RAISE;\n");
  }
}

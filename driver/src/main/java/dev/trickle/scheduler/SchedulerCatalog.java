package dev.trickle.scheduler;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.refresh.StatementBatch;
import dev.trickle.catalog.Schedule;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog reads and writes of a scheduler pass: the stream tables and their dependencies, the
 * stream tables with changes waiting ({@code pgtrickle.pending_stream_tables()}), and the
 * confirmation that idle stream tables are still current. Two round trips per pass, both on the
 * leader connection in autocommit.
 */
final class SchedulerCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerCatalog.class);
  private static final String NODES =
      "SELECT s.pgt_id, s.pgt_relid, s.pgt_schema, s.pgt_name, s.schedule,"
          + " s.status, s.is_populated, s.effective_mode = 'IMMEDIATE' AS immediate,"
          + " s.diamond_consistency = 'atomic' AS atomic_diamonds,"
          + " s.diamond_schedule_policy = 'slowest' AS slowest_policy,"
          + " s.data_timestamp,"
          + " EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = s.pgt_id"
          + " AND d.source_kind IN ('MATERIALIZED_VIEW', 'FOREIGN_TABLE', 'PARTITION'))"
          + " AS uncapturable,"
          + " (NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = s.pgt_relid)"
          + " OR EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = s.pgt_id"
          + " AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = d.source_relid))) AS broken"
          + " FROM pgtrickle.pgt_stream_tables s";
  private static final String EDGES =
      "SELECT pgt_id, source_relid FROM pgtrickle.pgt_dependencies WHERE source_kind <> 'VIEW'";
  private static final String PENDING =
      "SELECT now() AS checked_at, ARRAY(SELECT pgtrickle.pending_stream_tables()) AS pending";
  private static final String CONFIRM = "SELECT pgtrickle.confirm_current(?, ?)";

  /**
   * The catalog as one pass sees it.
   *
   * @param nodes every stream table
   * @param edges what they read
   * @param pending the stream tables with changes waiting
   * @param checkedAt the time of the snapshot {@code pending} was read at
   */
  record State(
      List<StreamTableNode> nodes, List<SourceEdge> edges, Set<Long> pending, Instant checkedAt) {}

  private final Map<String, Schedule> schedules = new HashMap<>();

  /** Whether the database's catalog can be scheduled. */
  enum Readiness {
    /** No catalog (not installed yet, or dropped). */
    ABSENT,
    /** The catalog is current (an older one was just upgraded). */
    READY,
    /** The catalog is newer than this driver: a newer driver's scheduler must serve it. */
    NEWER
  }

  /**
   * Checks the catalog version, upgrading an older catalog in place (in its own transaction, as
   * any stream-table command would), so that a newer driver's scheduler finds what it needs.
   */
  static Readiness prepare(Connection c) throws SQLException {
    int version = CatalogInstaller.installedVersion(c);
    if (version == 0) {
      return Readiness.ABSENT;
    }
    if (version > CatalogInstaller.CURRENT_VERSION) {
      return Readiness.NEWER;
    }
    if (version < CatalogInstaller.CURRENT_VERSION) {
      c.setAutoCommit(false);
      try {
        CatalogInstaller.install(c);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    return Readiness.READY;
  }

  /** Reads the state for a pass: its three queries in one round trip. */
  State read(Connection c) throws SQLException {
    List<StreamTableNode> nodes = new ArrayList<>();
    List<SourceEdge> edges = new ArrayList<>();
    Set<Long> pending = new HashSet<>();
    Instant[] checkedAt = new Instant[1];
    StatementBatch batch = new StatementBatch();
    batch.add(NODES, rs -> readNodes(rs, nodes));
    batch.add(
        EDGES,
        rs -> {
          while (rs.next()) {
            edges.add(new SourceEdge(rs.getLong("pgt_id"), rs.getLong("source_relid")));
          }
        });
    batch.add(
        PENDING,
        rs -> {
          rs.next();
          checkedAt[0] = rs.getObject("checked_at", OffsetDateTime.class).toInstant();
          pending.addAll(Arrays.asList((Long[]) rs.getArray("pending").getArray()));
        });
    batch.run(c);
    return new State(nodes, edges, pending, checkedAt[0]);
  }

  private void readNodes(ResultSet rs, List<StreamTableNode> nodes) throws SQLException {
    while (rs.next()) {
      OffsetDateTime data = rs.getObject("data_timestamp", OffsetDateTime.class);
      String schema = rs.getString("pgt_schema");
      String table = rs.getString("pgt_name");
      nodes.add(
          new StreamTableNode(
              rs.getLong("pgt_id"),
              rs.getLong("pgt_relid"),
              schema,
              table,
              schedule(rs.getString("schedule"), Sql.display(schema, table)),
              StreamTableStatus.valueOf(rs.getString("status")),
              rs.getBoolean("is_populated"),
              rs.getBoolean("immediate"),
              rs.getBoolean("atomic_diamonds"),
              rs.getBoolean("slowest_policy"),
              data == null ? null : data.toInstant(),
              rs.getBoolean("uncapturable"),
              rs.getBoolean("broken")));
    }
  }

  /**
   * Moves the {@code data_timestamp} of stream tables with nothing waiting upstream to {@code at},
   * the time of the snapshot that found nothing waiting: their content is that of the query then.
   * A stream table being refreshed is skipped (the refresh sets the time itself); see {@code
   * pgtrickle.confirm_current} for why this cannot disturb a refresh.
   */
  static void confirm(Connection c, List<Long> pgtIds, Instant at) throws SQLException {
    if (pgtIds.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(CONFIRM)) {
      ps.setArray(1, c.createArrayOf("int8", pgtIds.toArray()));
      ps.setObject(2, at.atOffset(ZoneOffset.UTC));
      ps.execute();
    }
  }

  private Schedule schedule(String text, String streamTable) {
    if (text == null) {
      // No schedule stored (an IMMEDIATE stream table, or one created without a schedule).
      return Schedule.calculated();
    }
    return schedules.computeIfAbsent(
        text,
        t -> {
          try {
            return Schedule.parse(t);
          } catch (SQLException e) {
            LOG.atWarn().log(
                () ->
                    "stream table "
                        + streamTable
                        + " has a schedule the scheduler cannot read ("
                        + e.getMessage()
                        + "); it is treated as calculated until it is altered");
            return Schedule.calculated();
          }
        });
  }
}

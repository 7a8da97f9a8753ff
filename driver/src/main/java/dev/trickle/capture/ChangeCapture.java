package dev.trickle.capture;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Quoting;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Installs, updates and removes the capture of one source relation (see {@link ChangeBuffer}).
 *
 * <p>Statement-level AFTER triggers with transition tables call one generated PL/pgSQL function
 * per source, which copies the statement's rows into the buffer with one set-based {@code INSERT
 * ... SELECT} per image: INSERT writes {@code 'I'} rows, DELETE {@code 'D'} rows, UPDATE {@code
 * 'D'} rows of the old images then {@code 'I'} rows of the new ones (so primary-key updates need
 * nothing special), TRUNCATE one {@code 'T'} marker. Column lists are named, so adding a column to
 * the source does not break its writes. The function runs as its owner ({@code SECURITY DEFINER}
 * with a fixed {@code search_path}), so roles that write the source need no rights on the buffer,
 * and it sends {@code NOTIFY pgtrickle_changes, '<source oid>'} once per statement that changed
 * rows.
 *
 * <p>A partitioned table gets the triggers on the parent and on every partition: a statement fires
 * only the statement triggers of the table it names, so each write is captured exactly once, into
 * the parent's buffer. Partitions attached later get no triggers until capture is ensured again.
 */
public final class ChangeCapture {
  private static final String INSERT_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(0);
  private static final String UPDATE_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(1);
  private static final String DELETE_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(2);
  private static final String TRUNCATE_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(3);
  private static final String RESERVED_PREFIX = "__pgt_";

  private ChangeCapture() {}

  /** True when the source already has a change buffer. */
  public static boolean isInstalled(Connection c, long sourceRelid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, new ChangeBuffer(sourceRelid).qualifiedTable());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Installs capture for the source, or brings it up to date with the source's columns (new
   * columns are added to the buffer; a column whose type changed is retyped and a {@code 'T'}
   * marker tells consumers to recompute). Creating triggers locks the source against writes until
   * the transaction ends.
   *
   * @return true when capture was newly installed
   */
  public static boolean ensure(Connection c, Relation source) throws SQLException {
    List<Column> columns = source.columns(c);
    for (Column column : columns) {
      if (column.name().startsWith(RESERVED_PREFIX)) {
        throw SqlState.INVALID_PARAMETER.exception(
            "column "
                + Quoting.displayPart(column.name())
                + " of "
                + source.displayName()
                + " uses the prefix "
                + RESERVED_PREFIX
                + ", which Trickle reserves for its change buffers; rename the column");
      }
    }
    ChangeBuffer buffer = new ChangeBuffer(source.relid());
    boolean existed = isInstalled(c, source.relid());
    boolean retyped = false;
    try (Statement st = c.createStatement()) {
      if (existed) {
        retyped = alignBuffer(c, st, buffer, columns);
      } else {
        st.execute(createBufferSql(buffer, columns));
      }
      st.execute(functionSql(buffer, columns));
      List<Long> targets = new ArrayList<>();
      targets.add(source.relid());
      targets.addAll(source.partitions(c));
      for (long target : targets) {
        createMissingTriggers(c, st, buffer, target);
      }
      if (retyped) {
        st.execute("INSERT INTO " + buffer.qualifiedTable() + " (__pgt_op) VALUES ('T')");
      }
    }
    register(c, source, buffer);
    return !existed;
  }

  /**
   * Removes the source's capture: the trigger function (which takes every capture trigger with
   * it), the buffer and its registration. Works when the source itself was already dropped.
   */
  public static void remove(Connection c, long sourceRelid) throws SQLException {
    ChangeBuffer buffer = new ChangeBuffer(sourceRelid);
    try (Statement st = c.createStatement()) {
      st.execute("DROP FUNCTION IF EXISTS " + buffer.qualifiedFunction() + "() CASCADE");
      st.execute("DROP TABLE IF EXISTS " + buffer.qualifiedTable());
    }
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM pgtrickle.pgt_change_buffers WHERE source_relid = ?::oid")) {
      ps.setLong(1, sourceRelid);
      ps.executeUpdate();
    }
  }

  /** The source columns the buffer mirrors, in buffer order (the {@code __pgt_} columns left out). */
  public static List<Column> bufferColumns(Connection c, long sourceRelid) throws SQLException {
    List<Column> columns = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped"
                + " AND attname NOT LIKE '\\_\\_pgt\\_%' ORDER BY attnum")) {
      ps.setString(1, new ChangeBuffer(sourceRelid).qualifiedTable());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(new Column(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return columns;
  }

  private static String createBufferSql(ChangeBuffer buffer, List<Column> columns) {
    StringBuilder sql =
        new StringBuilder("CREATE TABLE ")
            .append(buffer.qualifiedTable())
            .append(" (__pgt_seq bigint GENERATED ALWAYS AS IDENTITY,")
            .append(" __pgt_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),")
            .append(" __pgt_op \"char\" NOT NULL");
    for (Column column : columns) {
      sql.append(", ").append(Quoting.identifier(column.name())).append(' ').append(column.type());
    }
    return sql.append(')').toString();
  }

  /** Adds missing columns and retypes changed ones; true when a type changed. */
  private static boolean alignBuffer(
      Connection c, Statement st, ChangeBuffer buffer, List<Column> columns) throws SQLException {
    Map<String, String> existing = new LinkedHashMap<>();
    for (Column column : bufferColumns(c, buffer.sourceRelid())) {
      existing.put(column.name(), column.type());
    }
    boolean retyped = false;
    for (Column column : columns) {
      String type = existing.get(column.name());
      String name = Quoting.identifier(column.name());
      if (type == null) {
        st.execute(
            "ALTER TABLE " + buffer.qualifiedTable() + " ADD COLUMN " + name + ' ' + column.type());
      } else if (!type.equals(column.type())) {
        st.execute(
            "ALTER TABLE "
                + buffer.qualifiedTable()
                + " ALTER COLUMN "
                + name
                + " TYPE "
                + column.type()
                + " USING NULL");
        retyped = true;
      }
    }
    return retyped;
  }

  private static String functionSql(ChangeBuffer buffer, List<Column> columns) {
    String target =
        columns.stream()
            .map(col -> ", " + Quoting.identifier(col.name()))
            .collect(Collectors.joining("", "INSERT INTO " + buffer.qualifiedTable() + " (__pgt_op", ")"));
    String body =
        "BEGIN\n"
            + "  IF TG_OP = 'INSERT' THEN\n"
            + "    " + copy(target, "'I'", "n", "__pgt_new", columns) + ";\n"
            + "  ELSIF TG_OP = 'UPDATE' THEN\n"
            + "    " + copy(target, "'D'", "o", "__pgt_old", columns) + ";\n"
            + "    " + copy(target, "'I'", "n", "__pgt_new", columns) + ";\n"
            + "  ELSIF TG_OP = 'DELETE' THEN\n"
            + "    " + copy(target, "'D'", "o", "__pgt_old", columns) + ";\n"
            + "  ELSE\n"
            + "    INSERT INTO " + buffer.qualifiedTable() + " (__pgt_op) VALUES ('T');\n"
            + "  END IF;\n"
            + "  IF FOUND THEN\n"
            + "    PERFORM pg_notify('pgtrickle_changes', '" + buffer.sourceRelid() + "');\n"
            + "  END IF;\n"
            + "  RETURN NULL;\n"
            + "END\n";
    return "CREATE OR REPLACE FUNCTION "
        + buffer.qualifiedFunction()
        + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
        + " SET search_path = pg_catalog, pg_temp AS "
        + Quoting.dollarQuoted(body);
  }

  private static String copy(
      String target, String op, String alias, String transitionTable, List<Column> columns) {
    String values =
        columns.stream()
            .map(col -> ", " + alias + '.' + Quoting.identifier(col.name()))
            .collect(Collectors.joining());
    return target + " SELECT " + op + values + " FROM " + transitionTable + ' ' + alias;
  }

  private static void createMissingTriggers(
      Connection c, Statement st, ChangeBuffer buffer, long target) throws SQLException {
    List<String> present = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT tgname FROM pg_trigger WHERE tgrelid = ?::oid")) {
      ps.setLong(1, target);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          present.add(rs.getString(1));
        }
      }
    }
    String table = Relation.find(c, target).orElseThrow().qualifiedName();
    String call = " FOR EACH STATEMENT EXECUTE FUNCTION " + buffer.qualifiedFunction() + "()";
    if (!present.contains(INSERT_TRIGGER)) {
      st.execute(
          "CREATE TRIGGER " + INSERT_TRIGGER + " AFTER INSERT ON " + table
              + " REFERENCING NEW TABLE AS __pgt_new" + call);
    }
    if (!present.contains(UPDATE_TRIGGER)) {
      st.execute(
          "CREATE TRIGGER " + UPDATE_TRIGGER + " AFTER UPDATE ON " + table
              + " REFERENCING OLD TABLE AS __pgt_old NEW TABLE AS __pgt_new" + call);
    }
    if (!present.contains(DELETE_TRIGGER)) {
      st.execute(
          "CREATE TRIGGER " + DELETE_TRIGGER + " AFTER DELETE ON " + table
              + " REFERENCING OLD TABLE AS __pgt_old" + call);
    }
    if (!present.contains(TRUNCATE_TRIGGER)) {
      st.execute("CREATE TRIGGER " + TRUNCATE_TRIGGER + " AFTER TRUNCATE ON " + table + call);
    }
  }

  private static void register(Connection c, Relation source, ChangeBuffer buffer)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_change_buffers (source_relid, source_schema, source_name,"
                + " buffer_name) VALUES (?::oid, ?, ?, ?) ON CONFLICT (source_relid) DO UPDATE"
                + " SET source_schema = excluded.source_schema,"
                + " source_name = excluded.source_name")) {
      ps.setLong(1, source.relid());
      ps.setString(2, source.schema());
      ps.setString(3, source.name());
      ps.setString(4, buffer.tableName());
      ps.executeUpdate();
    }
  }
}

package dev.trickle.tpch;

import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Creates and fills the TPC-H tables at a scale factor: rows from the {@code io.trino.tpch}
 * generator (the dbgen algorithm: the same rows for the same scale factor, every time) streamed
 * through {@code COPY ... FROM STDIN} with PgJDBC's {@link CopyManager}, then the keys and {@code
 * ANALYZE}.
 */
public final class TpchLoader {
  private static final int FLUSH_CHARS = 1 << 20;

  private TpchLoader() {}

  /**
   * Creates the tables in the connection's current schema, loads them at {@code scaleFactor},
   * adds the keys and analyzes them. The connection must be a PgJDBC one (or wrap one); it is used
   * in autocommit mode.
   *
   * @return the rows loaded per table, in load order
   */
  public static Map<String, Long> load(Connection c, double scaleFactor) throws SQLException {
    TpchSchema.createTables(c);
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String table : TpchSchema.TABLES) {
      rows.put(table, copyTable(copy, table, TpchTable.getTable(table), scaleFactor));
    }
    TpchSchema.addKeys(c);
    try (Statement st = c.createStatement()) {
      st.execute("ANALYZE " + String.join(", ", TpchSchema.TABLES));
    }
    return rows;
  }

  private static long copyTable(
      CopyManager copy, String table, TpchTable<?> generator, double scaleFactor)
      throws SQLException {
    CopyIn in = copy.copyIn("COPY " + table + " FROM STDIN (FORMAT text, DELIMITER '|')");
    long count = 0;
    try {
      StringBuilder buffer = new StringBuilder(FLUSH_CHARS + 1024);
      for (TpchEntity row : generator.createGenerator(scaleFactor, 1, 1)) {
        appendRow(buffer, row.toLine());
        count++;
        if (buffer.length() >= FLUSH_CHARS) {
          flush(in, buffer);
        }
      }
      flush(in, buffer);
      in.endCopy();
      return count;
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /**
   * Appends one generator line ({@code a|b|c|}, the dbgen format) as a COPY text row: the trailing
   * delimiter dropped, backslashes (COPY's escape character) doubled.
   */
  static void appendRow(StringBuilder buffer, String line) {
    int end = line.endsWith("|") ? line.length() - 1 : line.length();
    for (int i = 0; i < end; i++) {
      char ch = line.charAt(i);
      if (ch == '\\') {
        buffer.append('\\');
      }
      buffer.append(ch);
    }
    buffer.append('\n');
  }

  private static void flush(CopyIn in, StringBuilder buffer) throws SQLException {
    if (buffer.length() > 0) {
      byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
      in.writeToCopy(bytes, 0, bytes.length);
      buffer.setLength(0);
    }
  }
}

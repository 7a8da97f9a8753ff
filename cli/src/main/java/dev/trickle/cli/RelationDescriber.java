package dev.trickle.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The shell's {@code \d} commands, answered from {@code pg_catalog}: the tables, views and stream
 * tables of the search path, and the columns of one of them. A relation is a stream table when the
 * Trickle catalog ({@code pgtrickle.pgt_stream_tables}, matched on {@code pgt_schema} and {@code
 * pgt_name}) exists and lists it.
 */
final class RelationDescriber {
  private static final String NO_CATALOG = "false";
  private static final String IN_CATALOG =
      "EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s"
          + " WHERE s.pgt_schema = n.nspname AND s.pgt_name = c.relname)";
  private static final String KIND =
      "CASE WHEN %s THEN 'stream table' ELSE CASE c.relkind WHEN 'r' THEN 'table'"
          + " WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'"
          + " WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'"
          + " WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' WHEN 'I' THEN 'partitioned index'"
          + " WHEN 'c' THEN 'composite type' ELSE 'relation' END END";
  private static final String LIST =
      "SELECT n.nspname AS \"Schema\", c.relname AS \"Name\", %s AS \"Type\","
          + " pg_catalog.pg_get_userbyid(c.relowner) AS \"Owner\""
          + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
          + " AND n.nspname = ANY (pg_catalog.current_schemas(false))"
          + " ORDER BY 1, 2";
  private static final String FIND =
      "SELECT n.nspname, c.relname, %s"
          + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.oid = pg_catalog.to_regclass(?)";
  private static final String COLUMNS =
      "SELECT a.attname AS \"Column\", pg_catalog.format_type(a.atttypid, a.atttypmod) AS \"Type\","
          + " CASE WHEN a.attnotnull THEN 'not null' ELSE '' END AS \"Nullable\","
          + " COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') AS \"Default\""
          + " FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d"
          + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
          + " WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped"
          + " ORDER BY a.attnum";

  private final Connection connection;
  private final PrintWriter out;
  private final ResultPrinter printer;

  RelationDescriber(Connection connection, PrintWriter out) {
    this.connection = connection;
    this.out = out;
    this.printer = new ResultPrinter(out);
  }

  /** {@code \d}: the relations of the search path with their kind and owner. */
  void listRelations() throws SQLException {
    String sql = String.format(LIST, String.format(KIND, streamTableTest()));
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      ResultTable table = ResultTable.read("List of relations", rows);
      if (table.rows().isEmpty()) {
        out.println("Did not find any relations.");
        out.flush();
      } else {
        printer.print(table);
      }
    }
  }

  /** {@code \d NAME}: the columns of relation {@code name} (resolved like in SQL). */
  void describe(String name) throws SQLException {
    String title;
    try (PreparedStatement find =
        connection.prepareStatement(String.format(FIND, String.format(KIND, streamTableTest())))) {
      find.setString(1, name);
      try (ResultSet found = find.executeQuery()) {
        if (!found.next()) {
          out.println("Did not find any relation named \"" + name + "\".");
          out.flush();
          return;
        }
        String kind = found.getString(3);
        title =
            Character.toUpperCase(kind.charAt(0))
                + kind.substring(1)
                + " \""
                + found.getString(1)
                + "."
                + found.getString(2)
                + "\"";
      }
    }
    try (PreparedStatement columns = connection.prepareStatement(COLUMNS)) {
      columns.setString(1, name);
      try (ResultSet rows = columns.executeQuery()) {
        printer.print(ResultTable.read(title, rows));
      }
    }
  }

  /** The SQL condition telling stream tables apart, {@code false} while there is no catalog. */
  private String streamTableTest() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet catalog =
            statement.executeQuery(
                "SELECT pg_catalog.to_regclass('pgtrickle.pgt_stream_tables') IS NOT NULL")) {
      catalog.next();
      return catalog.getBoolean(1) ? IN_CATALOG : NO_CATALOG;
    }
  }
}

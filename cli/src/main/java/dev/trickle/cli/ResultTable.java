package dev.trickle.cli;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A query result held as text, ready to print: column names, which columns are numeric (printed
 * right-aligned, as psql does), the rows with {@code null} for SQL NULL, and an optional title
 * printed above the table.
 */
record ResultTable(String title, List<Column> columns, List<List<String>> rows) {
  /** A column's name and whether its values are aligned to the right. */
  record Column(String name, boolean rightAligned) {}

  ResultTable {
    columns = List.copyOf(columns);
    rows = Collections.unmodifiableList(new ArrayList<>(rows));
  }

  /** Reads all remaining rows of {@code resultSet} as text. */
  static ResultTable read(String title, ResultSet resultSet) throws SQLException {
    ResultSetMetaData meta = resultSet.getMetaData();
    List<Column> columns = new ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      columns.add(new Column(meta.getColumnLabel(i), isNumeric(meta.getColumnType(i))));
    }
    List<List<String>> rows = new ArrayList<>();
    while (resultSet.next()) {
      List<String> row = new ArrayList<>(columns.size());
      for (int i = 1; i <= columns.size(); i++) {
        row.add(resultSet.getString(i));
      }
      rows.add(Collections.unmodifiableList(row));
    }
    return new ResultTable(title, columns, rows);
  }

  private static boolean isNumeric(int sqlType) {
    switch (sqlType) {
      case Types.TINYINT:
      case Types.SMALLINT:
      case Types.INTEGER:
      case Types.BIGINT:
      case Types.REAL:
      case Types.FLOAT:
      case Types.DOUBLE:
      case Types.NUMERIC:
      case Types.DECIMAL:
        return true;
      default:
        return false;
    }
  }
}

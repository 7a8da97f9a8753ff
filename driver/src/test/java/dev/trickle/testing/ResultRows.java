package dev.trickle.testing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A query's result read into rows of column texts, so tests can compare whole results. */
public final class ResultRows {
  private ResultRows() {}

  /** The rows of {@code rs} from its current position on, each a list of its columns' texts. */
  public static List<List<String>> of(ResultSet rs) throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        row.add(rs.getString(i));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The rows of {@code sql} run on {@code s}. */
  public static List<List<String>> of(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return of(rs);
    }
  }
}

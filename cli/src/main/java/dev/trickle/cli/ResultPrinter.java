package dev.trickle.cli;

import dev.trickle.cli.ResultTable.Column;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a {@link ResultTable} in psql's default "aligned" format, so that output of {@code trickle
 * run} reads like psql's:
 *
 * <pre>
 *  id | name  | salary
 * ----+-------+--------
 *   1 | Alice | 120000
 * (1 row)
 * </pre>
 *
 * <p>Column names are centered, numbers right-aligned, text left-aligned, NULL printed as nothing;
 * a value spanning several lines continues below with a {@code +} in the right margin; the footer
 * counts the rows and a blank line follows it. A result without columns prints as {@code --}. Width
 * is counted in code points.
 */
final class ResultPrinter {
  private final PrintWriter out;

  ResultPrinter(PrintWriter out) {
    this.out = out;
  }

  /** Prints {@code table} with its title (if any), header, rows and row-count footer. */
  void print(ResultTable table) {
    List<Column> columns = table.columns();
    List<List<String[]>> cells = new ArrayList<>();
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = width(columns.get(c).name());
    }
    for (List<String> row : table.rows()) {
      List<String[]> lines = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        String[] valueLines = (row.get(c) == null ? "" : row.get(c)).split("\n", -1);
        for (String line : valueLines) {
          widths[c] = Math.max(widths[c], width(line));
        }
        lines.add(valueLines);
      }
      cells.add(lines);
    }

    printTitle(table.title(), widths);
    if (columns.isEmpty()) {
      out.println("--");
    } else {
      printHeader(columns, widths);
      printSeparator(widths);
      for (List<String[]> row : cells) {
        printRow(columns, widths, row);
      }
    }
    int count = table.rows().size();
    out.println(count == 1 ? "(1 row)" : "(" + count + " rows)");
    out.println();
    out.flush();
  }

  private void printTitle(String title, int[] widths) {
    if (title == null) {
      return;
    }
    int total = Math.max(0, widths.length * 3 - 1);
    for (int width : widths) {
      total += width;
    }
    int titleWidth = width(title);
    out.println(titleWidth >= total ? title : spaces((total - titleWidth) / 2) + title);
  }

  private void printHeader(List<Column> columns, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < columns.size(); c++) {
      String name = columns.get(c).name();
      int padding = widths[c] - width(name);
      if (c > 0) {
        line.append('|');
      }
      line.append(' ')
          .append(spaces(padding / 2))
          .append(name)
          .append(spaces((padding + 1) / 2))
          .append(' ');
    }
    out.println(line);
  }

  private void printSeparator(int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < widths.length; c++) {
      if (c > 0) {
        line.append('+');
      }
      line.append("-".repeat(widths[c] + 2));
    }
    out.println(line);
  }

  private void printRow(List<Column> columns, int[] widths, List<String[]> row) {
    int height = 1;
    for (String[] lines : row) {
      height = Math.max(height, lines.length);
    }
    for (int l = 0; l < height; l++) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns.size(); c++) {
        String[] lines = row.get(c);
        String text = l < lines.length ? lines[l] : "";
        boolean continues = l < lines.length - 1;
        boolean last = c == columns.size() - 1;
        int padding = widths[c] - width(text);
        if (c > 0) {
          line.append('|');
        }
        line.append(' ');
        if (columns.get(c).rightAligned()) {
          line.append(spaces(padding)).append(text);
        } else {
          line.append(text).append(!last || continues ? spaces(padding) : "");
        }
        if (continues) {
          line.append('+');
        } else if (!last) {
          line.append(' ');
        }
      }
      out.println(line);
    }
  }

  private static int width(String text) {
    return text.codePointCount(0, text.length());
  }

  private static String spaces(int count) {
    return " ".repeat(count);
  }
}

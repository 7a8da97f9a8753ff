package dev.trickle.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * The changes of one decoded transaction, collected between its {@code Begin} and its {@code
 * Commit}: each row image as a JSON object of the source's column names and their text values
 * (what {@code json_populate_record} turns back into a row of the source).
 */
final class WalTransaction {
  /**
   * One change of a relation: the old and new images as JSON (either may be null), or a truncate.
   */
  record RowChange(long relid, String oldRow, String newRow, boolean truncate) {}

  private final int xid;
  private final List<RowChange> changes = new ArrayList<>();
  private long commitLsn;

  WalTransaction(int xid) {
    this.xid = xid;
  }

  int xid() {
    return xid;
  }

  List<RowChange> changes() {
    return changes;
  }

  /** The end of the commit record, known once the transaction committed. */
  long commitLsn() {
    return commitLsn;
  }

  void committed(long endLsn) {
    this.commitLsn = endLsn;
  }

  /** Adds a row change of {@code relation}; an unchanged TOASTed new value is the old one's. */
  void add(PgOutputMessage.RelationInfo relation, PgOutputMessage.Change change) {
    List<String> newRow = change.newRow();
    if (newRow != null && change.oldRow() != null) {
      List<String> filled = new ArrayList<>(newRow);
      for (int i = 0; i < filled.size(); i++) {
        if (filled.get(i) == PgOutputMessage.UNCHANGED_TOAST) {
          filled.set(i, change.oldRow().get(i));
        }
      }
      newRow = filled;
    }
    changes.add(
        new RowChange(
            Integer.toUnsignedLong(relation.relid()),
            json(relation.columns(), change.oldRow()),
            json(relation.columns(), newRow),
            false));
  }

  /** Adds a TRUNCATE of the relation. */
  void addTruncate(long relid) {
    changes.add(new RowChange(relid, null, null, true));
  }

  private static String json(List<String> columns, List<String> values) {
    if (values == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(16 * values.size()).append('{');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      quote(out, columns.get(i)).append(':');
      String value = values.get(i);
      if (value == null) {
        out.append("null");
      } else {
        quote(out, value);
      }
    }
    return out.append('}').toString();
  }

  /** Appends {@code text} as a JSON string. */
  private static StringBuilder quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (ch < 0x20) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    return out.append('"');
  }
}

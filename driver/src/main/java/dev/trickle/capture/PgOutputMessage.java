package dev.trickle.capture;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One message of PostgreSQL's {@code pgoutput} logical decoding plugin (protocol version 1 with
 * {@code messages 'true'}), as {@link #parse} reads it from the bytes PgJDBC's replication stream
 * hands out. Only what WAL capture uses is kept: transaction bounds, relation descriptions, row
 * changes as text values, truncations and Trickle's own position messages; anything else (types,
 * origins) is {@link Ignored}.
 */
public sealed interface PgOutputMessage {
  /** A transaction starts; its changes follow, its {@link Commit} ends it. */
  record Begin(long finalLsn, int xid) implements PgOutputMessage {}

  /** A transaction committed; {@code endLsn} is just past its commit record. */
  record Commit(long commitLsn, long endLsn) implements PgOutputMessage {}

  /** A relation's description, sent before its first change and after each change of it. */
  record RelationInfo(int relid, String schema, String name, List<String> columns)
      implements PgOutputMessage {}

  /**
   * A row change: {@code oldRow} for an UPDATE or DELETE (the whole row with {@code REPLICA
   * IDENTITY FULL}), {@code newRow} for an INSERT or UPDATE, each a list of text values (null for
   * SQL NULL, {@link #UNCHANGED_TOAST} for an unchanged out-of-line value of an UPDATE).
   */
  record Change(int relid, List<String> oldRow, List<String> newRow) implements PgOutputMessage {}

  /** A TRUNCATE of the relations. */
  record Truncate(List<Integer> relids) implements PgOutputMessage {}

  /** A logical decoding message ({@code pg_logical_emit_message}) written at {@code lsn}. */
  record Message(long lsn, String prefix) implements PgOutputMessage {}

  /** A message WAL capture does not need. */
  record Ignored(char type) implements PgOutputMessage {}

  /** Stands for an unchanged TOASTed value in a new row image (the value is in the old one). */
  String UNCHANGED_TOAST = new String("\u0000unchanged toast");

  /** Reads one message. */
  static PgOutputMessage parse(ByteBuffer buffer) {
    char type = (char) buffer.get();
    return switch (type) {
      case 'B' -> {
        long finalLsn = buffer.getLong();
        buffer.getLong();
        yield new Begin(finalLsn, buffer.getInt());
      }
      case 'C' -> {
        buffer.get();
        long commitLsn = buffer.getLong();
        yield new Commit(commitLsn, buffer.getLong());
      }
      case 'R' -> {
        int relid = buffer.getInt();
        String schema = string(buffer);
        String name = string(buffer);
        buffer.get();
        int count = buffer.getShort();
        List<String> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          buffer.get();
          columns.add(string(buffer));
          buffer.getInt();
          buffer.getInt();
        }
        yield new RelationInfo(relid, schema, name, Collections.unmodifiableList(columns));
      }
      case 'I' -> {
        int relid = buffer.getInt();
        buffer.get();
        yield new Change(relid, null, tuple(buffer));
      }
      case 'U' -> {
        int relid = buffer.getInt();
        char kind = (char) buffer.get();
        List<String> old = null;
        if (kind == 'K' || kind == 'O') {
          old = tuple(buffer);
          buffer.get();
        }
        yield new Change(relid, old, tuple(buffer));
      }
      case 'D' -> {
        int relid = buffer.getInt();
        buffer.get();
        yield new Change(relid, tuple(buffer), null);
      }
      case 'T' -> {
        int count = buffer.getInt();
        buffer.get();
        List<Integer> relids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          relids.add(buffer.getInt());
        }
        yield new Truncate(List.copyOf(relids));
      }
      case 'M' -> {
        buffer.get();
        long lsn = buffer.getLong();
        yield new Message(lsn, string(buffer));
      }
      default -> new Ignored(type);
    };
  }

  private static List<String> tuple(ByteBuffer buffer) {
    int count = buffer.getShort();
    List<String> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      char kind = (char) buffer.get();
      switch (kind) {
        case 'n' -> values.add(null);
        case 'u' -> values.add(UNCHANGED_TOAST);
        default -> {
          byte[] bytes = new byte[buffer.getInt()];
          buffer.get(bytes);
          values.add(new String(bytes, StandardCharsets.UTF_8));
        }
      }
    }
    return values;
  }

  private static String string(ByteBuffer buffer) {
    int start = buffer.position();
    int end = start;
    while (buffer.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - start];
    buffer.get(bytes);
    buffer.get();
    return new String(bytes, StandardCharsets.UTF_8);
  }
}

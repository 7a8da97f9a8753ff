package dev.trickle.service;

import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream table name as the user wrote it, split into schema (null when unqualified) and name
 * with PostgreSQL's rules (those of {@code parse_ident}): parts separated by dots, double-quoted
 * parts kept as written ({@code ""} for a quote), unquoted parts folded to lower case (ASCII
 * letters only, as the server does), whitespace allowed around parts.
 *
 * @param schema the schema, or null when unqualified
 * @param name the relation name
 */
record RelationName(String schema, String name) {
  private static final int MAX_IDENTIFIER_BYTES = 63;

  /** Parses {@code written}; 22023 when it is not a valid (optionally qualified) name. */
  static RelationName parse(String written) throws SQLException {
    if (written == null) {
      throw SqlState.INVALID_PARAMETER.exception("the stream table name must not be NULL");
    }
    List<String> parts = new ArrayList<>();
    int i = skipSpace(written, 0);
    while (true) {
      StringBuilder part = new StringBuilder();
      if (i < written.length() && written.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= written.length()) {
            throw invalid(written, "a quoted part is not closed");
          }
          char ch = written.charAt(i++);
          if (ch == '"') {
            if (i < written.length() && written.charAt(i) == '"') {
              part.append('"');
              i++;
            } else {
              break;
            }
          } else {
            part.append(ch);
          }
        }
        if (part.length() == 0) {
          throw invalid(written, "a quoted part is empty");
        }
      } else {
        while (i < written.length() && isIdentifierChar(written.charAt(i), part.length() == 0)) {
          char ch = written.charAt(i++);
          part.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + ('a' - 'A')) : ch);
        }
        if (part.length() == 0) {
          throw invalid(written, "expected a name at position " + (i + 1));
        }
      }
      if (part.toString().getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
        throw invalid(
            written, "\"" + part + "\" is longer than " + MAX_IDENTIFIER_BYTES + " bytes");
      }
      parts.add(part.toString());
      i = skipSpace(written, i);
      if (i >= written.length()) {
        break;
      }
      if (written.charAt(i) != '.') {
        throw invalid(written, "unexpected character at position " + (i + 1));
      }
      i = skipSpace(written, i + 1);
    }
    return switch (parts.size()) {
      case 1 -> new RelationName(null, parts.get(0));
      case 2 -> new RelationName(parts.get(0), parts.get(1));
      default -> throw invalid(written, "use name or schema.name");
    };
  }

  /** The name for messages, as written in SQL. */
  String display() {
    return schema == null ? Sql.display(name) : Sql.display(schema, name);
  }

  private static boolean isIdentifierChar(char ch, boolean first) {
    boolean letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
    return first ? letter : letter || (ch >= '0' && ch <= '9') || ch == '$';
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static SQLException invalid(String written, String why) {
    return SqlState.INVALID_PARAMETER.exception(
        "invalid stream table name " + Sql.literal(written) + ": " + why);
  }
}

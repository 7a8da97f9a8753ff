package dev.trickle.rewriter.command;

import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A relation name as PostgreSQL resolves it: an optional schema and a name, each already folded.
 * {@link #parse} reads what a user wrote ({@code department_tree}, {@code Public.Dept}, {@code "My
 * Schema"."Odd ""Name"""}) by PostgreSQL's rules: unquoted parts fold ASCII letters to lower case
 * (other letters stay as written, as in a UTF-8 database), quoted parts are kept verbatim, and
 * parts longer than 63 bytes are truncated as PostgreSQL truncates them.
 *
 * @param schema the schema, or null when the name is unqualified (resolved by the search path)
 * @param name the relation name, never null or empty
 */
public record QualifiedName(String schema, String name) {
  /** PostgreSQL's {@code NAMEDATALEN - 1}: the longest identifier, in bytes. */
  private static final int MAX_IDENTIFIER_BYTES = 63;

  /** PostgreSQL's reserved keywords, which need quotes even where unquoted would be lower case. */
  private static final Set<String> RESERVED_KEYWORDS =
      Set.of(
          "all",
          "analyse",
          "analyze",
          "and",
          "any",
          "array",
          "as",
          "asc",
          "asymmetric",
          "both",
          "case",
          "cast",
          "check",
          "collate",
          "column",
          "constraint",
          "create",
          "current_catalog",
          "current_date",
          "current_role",
          "current_time",
          "current_timestamp",
          "current_user",
          "default",
          "deferrable",
          "desc",
          "distinct",
          "do",
          "else",
          "end",
          "except",
          "false",
          "fetch",
          "for",
          "foreign",
          "from",
          "grant",
          "group",
          "having",
          "in",
          "initially",
          "intersect",
          "into",
          "lateral",
          "leading",
          "limit",
          "localtime",
          "localtimestamp",
          "not",
          "null",
          "offset",
          "on",
          "only",
          "or",
          "order",
          "placing",
          "primary",
          "references",
          "returning",
          "select",
          "session_user",
          "some",
          "symmetric",
          "system_user",
          "table",
          "then",
          "to",
          "trailing",
          "true",
          "union",
          "unique",
          "user",
          "using",
          "variadic",
          "when",
          "where",
          "window",
          "with");

  /** Validates the parts: a non-empty name, and a schema that is null or non-empty. */
  public QualifiedName {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || (schema != null && schema.isEmpty())) {
      throw new IllegalArgumentException("empty identifier in " + schema + "." + name);
    }
  }

  /**
   * Reads a user-written relation name: one or two identifiers separated by a dot, with whitespace
   * and comments allowed around the dot.
   *
   * @throws RecognitionException 22023 when {@code text} is blank; 42602 when it is not a valid
   *     name (bad quoting, more than two parts, anything other than identifiers and a dot)
   */
  public static QualifiedName parse(String text) throws RecognitionException {
    if (text == null || text.isBlank()) {
      throw new RecognitionException(
          RecognitionException.INVALID_PARAMETER_VALUE,
          "the relation name is empty: give a name such as my_table or my_schema.my_table");
    }
    List<Token> tokens = SqlTokenizer.tokenize(text);
    if (tokens.size() > 3 && tokens.get(1).isPunctuation('.') && tokens.get(3).isPunctuation('.')) {
      throw invalid(text, "too many dotted parts (a name may have a schema, nothing more)");
    }
    if (tokens.size() != 1 && tokens.size() != 3) {
      throw invalid(text, "not a name");
    }
    String first = part(text, tokens.get(0));
    if (tokens.size() == 1) {
      return new QualifiedName(null, first);
    }
    if (!tokens.get(1).isPunctuation('.')) {
      throw invalid(text, "expected a dot between schema and name");
    }
    return new QualifiedName(first, part(text, tokens.get(2)));
  }

  /** {@code identifier} in double quotes, inner quotes doubled: always safe in generated SQL. */
  public static String quoteIdentifier(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The name with every part quoted, {@code "schema"."name"} or {@code "name"}, for SQL. */
  public String quoted() {
    return schema == null
        ? quoteIdentifier(name)
        : quoteIdentifier(schema) + '.' + quoteIdentifier(name);
  }

  /**
   * The name as a user would write it, quoting only the parts that need quotes (upper case,
   * non-ASCII, special characters, reserved keywords); {@link #parse} reads it back unchanged.
   */
  @Override
  public String toString() {
    return schema == null
        ? minimallyQuoted(name)
        : minimallyQuoted(schema) + '.' + minimallyQuoted(name);
  }

  /** True for a reserved keyword (lower case), which PostgreSQL accepts as a name only quoted. */
  static boolean isReservedKeyword(String word) {
    return RESERVED_KEYWORDS.contains(word);
  }

  private static String part(String text, Token token) throws RecognitionException {
    if (token.kind() == TokenKind.UNTERMINATED) {
      throw invalid(text, "unterminated quoted identifier");
    }
    if (!token.isIdentifier()) {
      throw invalid(text, "\"" + token.text() + "\" is not an identifier");
    }
    String identifier = token.identifier();
    if (identifier.isEmpty()) {
      throw invalid(text, "zero-length quoted identifier");
    }
    return truncate(identifier);
  }

  private static RecognitionException invalid(String text, String problem) {
    return new RecognitionException(
        RecognitionException.INVALID_NAME,
        "invalid relation name \""
            + text.strip()
            + "\": "
            + problem
            + "; write name or schema.name, with double quotes around parts that contain"
            + " special characters");
  }

  /** Cuts an identifier to 63 UTF-8 bytes without splitting a character, as PostgreSQL does. */
  private static String truncate(String identifier) {
    if (identifier.length() * 3 <= MAX_IDENTIFIER_BYTES
        || identifier.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
      return identifier;
    }
    int bytes = 0;
    int i = 0;
    while (i < identifier.length()) {
      int codePoint = identifier.codePointAt(i);
      int length = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      if (bytes + length > MAX_IDENTIFIER_BYTES) {
        break;
      }
      bytes += length;
      i += Character.charCount(codePoint);
    }
    return identifier.substring(0, i);
  }

  private static String minimallyQuoted(String identifier) {
    return needsQuotes(identifier) ? quoteIdentifier(identifier) : identifier;
  }

  private static boolean needsQuotes(String identifier) {
    char first = identifier.charAt(0);
    if (!((first >= 'a' && first <= 'z') || first == '_')) {
      return true;
    }
    for (int i = 1; i < identifier.length(); i++) {
      char c = identifier.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return true;
      }
    }
    return RESERVED_KEYWORDS.contains(identifier);
  }
}

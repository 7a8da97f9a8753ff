package dev.trickle.rewriter.command;

import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import dev.trickle.sql.Sql;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

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

  /** The name with every part quoted, {@code "schema"."name"} or {@code "name"}, for SQL. */
  public String quoted() {
    return Sql.qualified(schema, name);
  }

  /**
   * The name as a user would write it, quoting only the parts that need quotes (upper case,
   * non-ASCII, special characters, reserved keywords); {@link #parse} reads it back unchanged.
   */
  @Override
  public String toString() {
    return schema == null ? Sql.display(name) : Sql.display(schema, name);
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
}

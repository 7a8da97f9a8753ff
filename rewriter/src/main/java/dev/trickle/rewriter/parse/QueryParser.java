package dev.trickle.rewriter.parse;

import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.Select;

/**
 * The one facade over JSqlParser: turns a defining query's text into its syntax tree. Builds the
 * parser directly (no executor per call) because it runs only for stream-table DDL, never on the
 * statement hot path.
 */
public final class QueryParser {
  private QueryParser() {}

  /**
   * Parses {@code query}, which must be one SELECT (possibly with WITH, set operations).
   *
   * @throws QueryException with SQLState 42601 when it does not parse, 0A000 when it is not a query
   */
  public static Select parseSelect(String query) throws QueryException {
    Statement statement;
    try {
      CCJSqlParser parser =
          CCJSqlParserUtil.newParser(
              DollarStrings.asStandardLiterals(stripTrailingSemicolon(query)));
      statement = parser.Statement();
    } catch (ParseException | RuntimeException e) {
      throw new QueryException(
          "42601", "the defining query does not parse: " + firstLine(e.getMessage()), e);
    }
    if (!(statement instanceof Select select)) {
      throw new QueryException(
          "0A000",
          "a defining query must be a SELECT (or WITH ... SELECT), not "
              + statement.getClass().getSimpleName().toUpperCase());
    }
    return select;
  }

  private static String stripTrailingSemicolon(String query) {
    String trimmed = query.strip();
    while (trimmed.endsWith(";")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
    }
    return trimmed;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

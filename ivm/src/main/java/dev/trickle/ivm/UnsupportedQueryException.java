package dev.trickle.ivm;

/**
 * A defining query uses a construct the delta compiler has no rule for. Carries the construct's
 * name and its position in the user's text, so AUTO can warn and DIFFERENTIAL can refuse with the
 * same message.
 */
public final class UnsupportedQueryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String construct;
  private final int offset;
  private final int line;
  private final int column;

  /**
   * @param construct what is not supported, e.g. {@code "window function rank()"}
   * @param query the user's text, used to compute the position
   * @param offset the construct's character offset in {@code query}, or -1 when unknown
   */
  public UnsupportedQueryException(String construct, String query, int offset) {
    super(message(construct, query, offset));
    this.construct = construct;
    this.offset = offset;
    int[] position = position(query, offset);
    this.line = position[0];
    this.column = position[1];
  }

  /** The construct's name. */
  public String construct() {
    return construct;
  }

  /** 1-based character position of the construct in the defining query, or 0 when unknown. */
  public int position() {
    return offset < 0 ? 0 : offset + 1;
  }

  /** 1-based line of the construct in the defining query, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** 1-based column of the construct in the defining query, or 0 when unknown. */
  public int column() {
    return column;
  }

  private static String message(String construct, String query, int offset) {
    int[] p = position(query, offset);
    String where = p[0] == 0 ? "" : " at line " + p[0] + ", column " + p[1] + " of the query";
    return construct + where + " has no differential rule";
  }

  private static int[] position(String query, int offset) {
    if (query == null || offset < 0 || offset > query.length()) {
      return new int[] {0, 0};
    }
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset; i++) {
      if (query.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new int[] {line, column};
  }
}

package dev.trickle.rewriter.scan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Undoes the escapes of an {@code E'...'} string body as PostgreSQL does: {@code \b \f \n \r \t},
 * octal {@code \ooo}, hexadecimal {@code \xhh}, Unicode (a backslash then {@code u} and four hex
 * digits, or {@code U} and eight), a doubled quote, and a backslash before any other character
 * standing for that character. Octal and hexadecimal escapes give bytes, and consecutive bytes are
 * read as UTF-8 (the database encoding Trickle assumes). A Unicode escape PostgreSQL would reject
 * (too few digits, beyond U+10FFFF) is kept as written.
 */
final class EscapeStringDecoder {
  private final StringBuilder out;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private EscapeStringDecoder(int capacity) {
    out = new StringBuilder(capacity);
  }

  /** The value of the escape string body {@code text[start, end)}. */
  static String decode(String text, int start, int end) {
    EscapeStringDecoder decoder = new EscapeStringDecoder(end - start);
    int i = start;
    while (i < end) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < end) {
        i = decoder.appendEscape(text, i + 1, end);
        continue;
      }
      decoder.flushBytes();
      decoder.out.append(c);
      i += c == '\'' && i + 1 < end && text.charAt(i + 1) == '\'' ? 2 : 1;
    }
    decoder.flushBytes();
    return decoder.out.toString();
  }

  private void flushBytes() {
    if (bytes.size() > 0) {
      out.append(bytes.toString(StandardCharsets.UTF_8));
      bytes.reset();
    }
  }

  /** Appends the value of the escape whose letter is at {@code i}; returns the index after it. */
  private int appendEscape(String text, int i, int end) {
    char c = text.charAt(i);
    boolean byteEscape = c == 'x' || (c >= '0' && c <= '7');
    if (!byteEscape) {
      flushBytes();
    }
    switch (c) {
      case 'b' -> out.append('\b');
      case 'f' -> out.append('\f');
      case 'n' -> out.append('\n');
      case 'r' -> out.append('\r');
      case 't' -> out.append('\t');
      case 'x' -> {
        int digitsEnd = digitsEnd(text, i + 1, Math.min(end, i + 3), 16);
        if (digitsEnd > i + 1) {
          bytes.write(Integer.parseInt(text, i + 1, digitsEnd, 16));
          return digitsEnd;
        }
        flushBytes();
        out.append('x');
      }
      case 'u', 'U' -> {
        int digits = c == 'u' ? 4 : 8;
        int digitsEnd = digitsEnd(text, i + 1, Math.min(end, i + 1 + digits), 16);
        long value = digitsEnd == i + 1 + digits ? Long.parseLong(text, i + 1, digitsEnd, 16) : -1;
        if (value >= 0 && value <= Character.MAX_CODE_POINT) {
          out.appendCodePoint((int) value);
        } else {
          out.append('\\').append(text, i, digitsEnd);
        }
        return digitsEnd;
      }
      default -> {
        int digitsEnd = digitsEnd(text, i, Math.min(end, i + 3), 8);
        if (digitsEnd > i) {
          bytes.write(Integer.parseInt(text, i, digitsEnd, 8) & 0xFF);
          return digitsEnd;
        }
        out.append(c);
      }
    }
    return i + 1;
  }

  /** The end of the run of ASCII digits of {@code radix} in {@code text[start, limit)}. */
  private static int digitsEnd(String text, int start, int limit, int radix) {
    int i = start;
    while (i < limit && isDigit(text.charAt(i), radix)) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(char c, int radix) {
    return radix == 8
        ? c >= '0' && c <= '7'
        : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}

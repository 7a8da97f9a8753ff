package dev.trickle.capture;

/** WAL positions as PostgreSQL spells them ({@code pg_lsn}, {@code X/Y} in hexadecimal). */
final class WalPositions {
  private WalPositions() {}

  /** {@code lsn} as {@code pg_lsn} text. */
  static String text(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
  }

  /** The position a {@code pg_lsn} text names. */
  static long parse(String text) {
    int slash = text.indexOf('/');
    return (Long.parseLong(text.substring(0, slash), 16) << 32)
        | Long.parseLong(text.substring(slash + 1), 16);
  }
}

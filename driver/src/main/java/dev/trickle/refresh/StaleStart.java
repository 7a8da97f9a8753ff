package dev.trickle.refresh;

import java.sql.SQLException;

/**
 * A remembered refresh target no longer holds ({@link StartCheck}), or the first round trip that
 * confirms it failed: the refresh did nothing, and the caller takes the general path, which finds
 * the stream table afresh and reports any real failure.
 */
final class StaleStart extends SQLException {
  private static final long serialVersionUID = 1L;

  StaleStart(SQLException cause) {
    super("the remembered refresh target no longer holds", "55000", cause);
  }
}

package dev.trickle.refresh;

import java.sql.Connection;

/**
 * The compiler used until differential maintenance lands: every stream table is maintained by
 * FULL refresh (AUTO falls back with a WARNING, DIFFERENTIAL is refused with 0A000).
 */
public final class FullOnlyCompiler implements MaintenanceCompiler {
  @Override
  public Compilation compile(Connection c, StreamTableDefinition definition) {
    return new Compilation.FullOnly(
        "differential maintenance", 0, "differential maintenance is not available yet");
  }
}

package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Decides whether a stream table can be maintained differentially and, if so, produces the program
 * that does it. Called at create and alter time (to choose the effective refresh mode and run the
 * setup statements) and at refresh time (to get the program; implementations may cache by {@code
 * pgtId} and {@link StreamTableDefinition#version()}).
 */
@FunctionalInterface
public interface MaintenanceCompiler {
  /** Compiles the definition; refusals are a {@link Compilation.FullOnly}, not an exception. */
  Compilation compile(Connection c, StreamTableDefinition definition) throws SQLException;
}

package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link MaintenanceCompiler} that remembers its compilations, for callers that refresh the same
 * stream tables over and over (the scheduler): the delta compiler parses the defining query and
 * reads the catalog, which costs more than a small refresh itself.
 *
 * <p>The key is the whole {@link StreamTableDefinition}, which the engine rebuilds from the catalog
 * for every refresh: the definition version (bumped by every alter), the query, the storage
 * columns and every source with its current columns. A change to any of them compiles afresh;
 * compilations are immutable, so one may serve several threads. The least recently used entries
 * beyond {@link #CAPACITY} are dropped.
 */
public final class CompilationCache implements MaintenanceCompiler {
  /** The most compilations kept. */
  static final int CAPACITY = 512;

  private final MaintenanceCompiler compiler;
  private final Map<StreamTableDefinition, Compilation> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<StreamTableDefinition, Compilation> eldest) {
          return size() > CAPACITY;
        }
      };

  /** A cache in front of {@code compiler}. */
  public CompilationCache(MaintenanceCompiler compiler) {
    this.compiler = compiler;
  }

  @Override
  public Compilation compile(Connection c, StreamTableDefinition definition) throws SQLException {
    synchronized (cache) {
      Compilation known = cache.get(definition);
      if (known != null) {
        return known;
      }
    }
    Compilation compiled = compiler.compile(c, definition);
    synchronized (cache) {
      cache.put(definition, compiled);
    }
    return compiled;
  }
}

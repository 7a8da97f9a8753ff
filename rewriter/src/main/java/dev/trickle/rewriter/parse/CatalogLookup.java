package dev.trickle.rewriter.parse;

import java.util.Optional;

/**
 * Resolves relation names of a defining query against the live catalog. Implemented by the driver
 * with JDBC, and by maps in unit tests, so that parsing and compiling stay pure Java.
 */
public interface CatalogLookup {
  /**
   * Resolves a relation as PostgreSQL would from the connection's search path.
   *
   * @param schema the schema written in the query, or null when unqualified
   * @param name the relation name, already case-folded as PostgreSQL does
   */
  Optional<Relation> resolve(String schema, String name);

  /**
   * Whether {@code functionName} (folded, unqualified) names an aggregate function, built-in or
   * user-defined, so the compiler can tell {@code my_agg(x)} from a scalar call.
   */
  boolean isAggregate(String functionName);

  /** Whether {@code functionName} (folded, unqualified) is volatile (e.g. {@code random}). */
  boolean isVolatile(String functionName);
}

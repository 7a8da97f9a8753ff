package dev.trickle.compile;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.Relation;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalog answers one compilation received, kept so that the same query can be compiled again
 * later with other names (the work tables of a program variant, see {@link PlanProgram}) without a
 * connection, and against exactly the catalog the first compilation saw. After {@link #detach()}
 * a question the first compilation did not ask is an internal error: compilation is deterministic.
 */
final class RememberedCatalog implements CatalogLookup {
  private record Name(String schema, String name) {}

  private final Map<Name, Optional<Relation>> relations = new ConcurrentHashMap<>();
  private final Map<String, Boolean> aggregates = new ConcurrentHashMap<>();
  private final Map<String, Boolean> volatiles = new ConcurrentHashMap<>();
  private volatile CatalogLookup live;

  RememberedCatalog(CatalogLookup live) {
    this.live = live;
  }

  /** Stops asking the live catalog: from now on only remembered answers are given. */
  void detach() {
    live = null;
  }

  @Override
  public Optional<Relation> resolve(String schema, String name) {
    return relations.computeIfAbsent(new Name(schema, name), n -> live().resolve(schema, name));
  }

  @Override
  public boolean isAggregate(String functionName) {
    return aggregates.computeIfAbsent(functionName, f -> live().isAggregate(f));
  }

  @Override
  public boolean isVolatile(String functionName) {
    return volatiles.computeIfAbsent(functionName, f -> live().isVolatile(f));
  }

  private CatalogLookup live() {
    CatalogLookup lookup = live;
    if (lookup == null) {
      throw new IllegalStateException("a recompilation asked the catalog what the first did not");
    }
    return lookup;
  }
}

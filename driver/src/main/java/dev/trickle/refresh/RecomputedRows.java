package dev.trickle.refresh;

import java.util.List;
import java.util.Optional;

/**
 * Where a recompute ({@link FullRefresh}) takes the storage table's rows from, and when it rebuilds
 * the state a differential program keeps beside the storage ({@link
 * Compilation.Differential#populateStatements}).
 *
 * <p>By default the rows come from the defining query and the state is rebuilt after them, which
 * does the query's work a second time: for an aggregate the state is the query's groups before the
 * projection. When the program keeps its whole output in state (a root aggregate, a top-k of one:
 * {@link Compilation.Differential#storageFromState}), the state is rebuilt first and the rows are
 * read from it, so the query's work is done once. The rows are then the ones every differential
 * refresh derives from the same state, so the storage holds what it would hold had the changes been
 * applied one by one.
 *
 * @param populate the statements that rebuild the program's state; none for a FULL stream table
 * @param fromState the storage's rows read from that state, when the program offers them
 */
record RecomputedRows(List<String> populate, Optional<String> fromState) {
  /** A FULL stream table: the query's rows, no state. */
  static final RecomputedRows QUERY = new RecomputedRows(List.of(), Optional.empty());

  RecomputedRows {
    populate = List.copyOf(populate);
  }

  /** For what the stream table was compiled to (empty: FULL mode). */
  static RecomputedRows of(Optional<Compilation> compilation) {
    return compilation.orElse(null) instanceof Compilation.Differential differential
        ? new RecomputedRows(differential.populateStatements(), differential.storageFromState())
        : QUERY;
  }

  /** The statements to run before the storage is filled: the state's, when the rows come from it. */
  List<String> before() {
    return fromState.isPresent() ? populate : List.of();
  }

  /** The statements to run after the storage is filled: the state's, when the query gave the rows. */
  List<String> after() {
    return fromState.isPresent() ? List.of() : populate;
  }

  /** Whether the storage's rows are the defining query's (not read from the program's state). */
  boolean fromQuery() {
    return fromState.isEmpty();
  }

  /** The SELECT of the storage's rows, given the defining query. */
  String rows(String query) {
    return fromState.orElseGet(() -> queryRows(query));
  }

  /** The defining query's rows, as the storage's columns. */
  static String queryRows(String query) {
    return "SELECT * FROM (" + query + "\n) AS __pgt_q";
  }
}

package dev.trickle.refresh;

import java.util.List;
import java.util.Optional;

/** What a {@link MaintenanceCompiler} decided for one stream table definition. */
public sealed interface Compilation permits Compilation.Differential, Compilation.FullOnly {

  /**
   * Differential maintenance is possible.
   *
   * @param program applies a refresh's deltas
   * @param setupStatements run once at create/alter time, after the storage table exists and
   *     before the first population (for example: create state tables, indexes)
   * @param populateStatements run after every FULL (re)population of the storage table, in the same
   *     transaction, to rebuild whatever state the program keeps beside the storage
   * @param teardownStatements remove what the setup statements created; stored in the catalog and
   *     run when the stream table is dropped or its query or mode changes
   * @param immediateInstall install the trigger programs that maintain the stream table inside
   *     each writing transaction (IMMEDIATE mode), run after setup
   * @param immediateUninstall remove those trigger programs
   * @param description what {@code pgtrickle.explain_st} shows and which source columns the
   *     delta probes
   * @param storageFromState a SELECT of the storage's rows from the state the populate statements
   *     rebuild, when the program keeps its whole output in state: a recompute then runs the
   *     populate statements first and fills the storage from the state ({@link RecomputedRows})
   */
  record Differential(
      DifferentialProgram program,
      List<String> setupStatements,
      List<String> populateStatements,
      List<String> teardownStatements,
      List<String> immediateInstall,
      List<String> immediateUninstall,
      PlanDescription description,
      Optional<String> storageFromState)
      implements Compilation {
    public Differential {
      setupStatements = List.copyOf(setupStatements);
      populateStatements = List.copyOf(populateStatements);
      teardownStatements = List.copyOf(teardownStatements);
      immediateInstall = List.copyOf(immediateInstall);
      immediateUninstall = List.copyOf(immediateUninstall);
    }

    /** Without IMMEDIATE trigger programs. */
    public Differential(
        DifferentialProgram program,
        List<String> setupStatements,
        List<String> populateStatements,
        List<String> teardownStatements) {
      this(program, setupStatements, populateStatements, teardownStatements, List.of(), List.of(),
          PlanDescription.NONE, Optional.empty());
    }
  }

  /**
   * Only FULL refresh is possible. With refresh mode AUTO the stream table falls back to FULL with a
   * WARNING; with DIFFERENTIAL the command fails with 0A000. Both messages name the construct.
   *
   * @param construct the construct that prevents differential maintenance, as the user would name
   *     it (for example {@code "window function"})
   * @param position its 1-based character position in the defining query, or 0 when unknown
   * @param reason why it prevents differential maintenance
   */
  record FullOnly(String construct, int position, String reason) implements Compilation {
    /**
     * "reason (construct at position n)" for messages; the parenthesis is left out when it would
     * say nothing the reason does not.
     */
    public String describe() {
      if (position > 0) {
        return reason + " (" + construct + " at position " + position + ")";
      }
      return reason.contains(construct) ? reason : reason + " (" + construct + ")";
    }
  }
}

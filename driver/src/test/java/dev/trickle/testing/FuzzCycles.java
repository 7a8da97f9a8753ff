package dev.trickle.testing;

/**
 * How long the randomized oracle tests run. Every oracle family asks here how many change-and-
 * refresh cycles to run per case and which seed to start from, so one switch lengthens them all:
 *
 * <ul>
 *   <li>{@code -Dtrickle.fuzz.cycles=N}: N cycles per case in every family (unset: each family's
 *       own default, chosen so that {@code mvn -B verify} runs at least 2,000 refresh cycles);
 *   <li>{@code -Dtrickle.fuzz.seed=S}: mixed into every family's per-case seed (unset: 0, the
 *       seeds {@code mvn -B verify} always uses), so a long run can explore other sequences and a
 *       failure names the seed that reproduces it.
 * </ul>
 */
public final class FuzzCycles {
  /** The system property giving the cycles per case. */
  public static final String CYCLES = "trickle.fuzz.cycles";
  /** The system property giving the extra seed. */
  public static final String SEED = "trickle.fuzz.seed";

  private FuzzCycles() {}

  /** The cycles per case: the property's value, or {@code familyDefault} when it is unset. */
  public static int perCase(int familyDefault) {
    String value = System.getProperty(CYCLES);
    if (value == null || value.isBlank()) {
      return familyDefault;
    }
    int cycles = Integer.parseInt(value.strip());
    if (cycles < 1) {
      throw new IllegalArgumentException(CYCLES + " must be at least 1, not " + value);
    }
    return cycles;
  }

  /** A case's seed: {@code caseSeed} mixed with the run's seed (unchanged when it is 0). */
  public static long seed(long caseSeed) {
    long run = Long.getLong(SEED, 0L);
    return run == 0 ? caseSeed : caseSeed * 1_000_003L ^ run;
  }
}

package dev.trickle.bench;

/**
 * Reads {@code --name value} pairs from a benchmark's command line, each with a default for when
 * it is not given.
 */
final class NamedArgs {
  private NamedArgs() {}

  /** The integer after {@code name}, or {@code fallback} when {@code name} is not given. */
  static int intArg(String[] args, String name, int fallback) {
    String value = stringArg(args, name, null);
    return value == null ? fallback : Integer.parseInt(value);
  }

  /** The word after {@code name}, or {@code fallback} when {@code name} is not given. */
  static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}

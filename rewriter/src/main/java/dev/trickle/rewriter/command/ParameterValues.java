package dev.trickle.rewriter.command;

/**
 * The values bound to {@code ?} placeholders of a prepared stream-table API call, rendered as
 * text (null for SQL NULL). Plain statements have none.
 */
@FunctionalInterface
public interface ParameterValues {
  ParameterValues NONE =
      index -> {
        throw new IllegalArgumentException("no value is bound to parameter " + index);
      };

  /** The value bound to the one-based placeholder {@code index}. */
  String valueAt(int index);
}

package dev.trickle.jdbc;

import dev.trickle.rewriter.command.ParameterValues;
import java.sql.SQLException;
import java.time.temporal.TemporalAccessor;
import java.util.Arrays;
import java.util.UUID;
import org.postgresql.util.PGobject;

/**
 * The values bound to a prepared stream-table command, recorded as text as the setters are called.
 * Values Trickle cannot read as text (streams, LOBs, arrays, ...) are remembered by the setter
 * used, and refused when the command runs.
 */
final class BoundParameters implements ParameterValues {
  private static final Object UNBOUND = new Object();

  /** Per one-based index minus one: the text, null for SQL NULL, a {@link Refusal}, or UNBOUND. */
  private final Object[] values;

  private record Refusal(String setter) {}

  BoundParameters(int count) {
    values = new Object[count];
    clear();
  }

  void setText(int index, String text) {
    values[index - 1] = text;
  }

  /** Records a value given as an object: its text for scalar types, a refusal otherwise. */
  void setObject(int index, Object value) {
    if (value == null) {
      setText(index, null);
    } else if (value instanceof PGobject pg) {
      setText(index, pg.getValue());
    } else if (value instanceof CharSequence
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Character
        || value instanceof TemporalAccessor
        || value instanceof java.util.Date
        || value instanceof UUID) {
      setText(index, value.toString());
    } else {
      setUnreadable(index, "setObject with a " + value.getClass().getName());
    }
  }

  /** Records that the value was bound with {@code setter}, which Trickle cannot read as text. */
  void setUnreadable(int index, String setter) {
    values[index - 1] = new Refusal(setter);
  }

  void clear() {
    Arrays.fill(values, UNBOUND);
  }

  /**
   * Checks that every placeholder has a value Trickle can read.
   *
   * @throws SQLException 22023 for a missing value, 0A000 for one bound with an unreadable type
   */
  void requireReadable(int count) throws SQLException {
    for (int i = 0; i < count; i++) {
      if (values[i] == UNBOUND) {
        throw new SQLException("No value specified for parameter " + (i + 1) + ".", "22023");
      }
      if (values[i] instanceof Refusal refusal) {
        throw new SQLException(
            "parameter "
                + (i + 1)
                + " of a stream-table command was bound with "
                + refusal.setter()
                + "; bind it with setString, setObject or another scalar setter",
            "0A000");
      }
    }
  }

  @Override
  public String valueAt(int index) {
    if (index < 1 || index > values.length) {
      throw new IllegalArgumentException("no parameter " + index + "; there are " + values.length);
    }
    return (String) values[index - 1];
  }
}

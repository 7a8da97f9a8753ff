package dev.trickle.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.rowset.CachedRowSet;
import javax.sql.rowset.RowSetMetaDataImpl;
import javax.sql.rowset.RowSetProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one call through a JDBC wrapper costs, without a server: reading a column of an in-memory
 * result set ({@link CachedRowSet}) directly, through a hand-written forwarding method (what a
 * hand-written wrapper's delegation costs), and through the wrapper {@link Delegation} builds. In
 * the package of the wrappers, whose factories are not public.
 *
 * <p>Not final: JMH generates subclasses of its state classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 15, time = 1)
@Measurement(iterations = 5, time = 1)
public class WrapperDispatchBenchmark {
  private ResultSet direct;
  private Forwarding forwarding;
  private ResultSet proxied;

  /** A hand-written wrapper reduced to the one method measured. */
  static final class Forwarding {
    private final ResultSet delegate;

    Forwarding(ResultSet delegate) {
      this.delegate = delegate;
    }

    int getInt(int column) throws SQLException {
      return delegate.getInt(column);
    }

    String getString(int column) throws SQLException {
      return delegate.getString(column);
    }
  }

  /** One row (42, 'forty-two'), the cursor on it. */
  @Setup
  public void fill() throws SQLException {
    CachedRowSet rows = RowSetProvider.newFactory().createCachedRowSet();
    RowSetMetaDataImpl shape = new RowSetMetaDataImpl();
    shape.setColumnCount(2);
    shape.setColumnType(1, java.sql.Types.INTEGER);
    shape.setColumnType(2, java.sql.Types.VARCHAR);
    rows.setMetaData(shape);
    rows.moveToInsertRow();
    rows.updateInt(1, 42);
    rows.updateString(2, "forty-two");
    rows.insertRow();
    rows.moveToCurrentRow();
    rows.beforeFirst();
    rows.next();
    direct = rows;
    forwarding = new Forwarding(rows);
    proxied = TrickleResultSet.wrap(null, rows);
  }

  @Benchmark
  public int getIntDirect() throws SQLException {
    return direct.getInt(1);
  }

  @Benchmark
  public int getIntForwarded() throws SQLException {
    return forwarding.getInt(1);
  }

  @Benchmark
  public int getIntThroughDelegation() throws SQLException {
    return proxied.getInt(1);
  }

  @Benchmark
  public String getStringDirect() throws SQLException {
    return direct.getString(2);
  }

  @Benchmark
  public String getStringThroughDelegation() throws SQLException {
    return proxied.getString(2);
  }
}

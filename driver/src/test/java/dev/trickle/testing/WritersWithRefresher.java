package dev.trickle.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Writer sessions running at once while another session refreshes a stream table again and again,
 * the shape of the IMMEDIATE concurrency tests. Failures are counted by SQLSTATE: a session counts
 * what its own retry loop retried, the refresher's failures count as {@code "refresh <state>"};
 * anything a thread throws is kept as unexpected.
 */
public final class WritersWithRefresher {
  /** One writer session's whole work; it counts the failures it retried in {@code failures}. */
  @FunctionalInterface
  public interface Session {
    void run(int index, Map<String, AtomicLong> failures) throws Exception;
  }

  /** What a run saw: failures by SQLSTATE and what the threads threw. */
  public record Outcome(Map<String, AtomicLong> failures, List<Throwable> unexpected) {
    /**
     * Fails unless every failure was a serialization failure ({@code 40001}) and, under READ
     * COMMITTED, only the refresher (which runs in REPEATABLE READ) got one.
     */
    public void assertOnlySerializationFailures(int isolation) {
      assertThat(unexpected).as("errors other than serialization failures").isEmpty();
      assertThat(failures.keySet()).as("failures by SQLSTATE").allMatch(k -> k.endsWith("40001"));
      if (isolation == Connection.TRANSACTION_READ_COMMITTED) {
        assertThat(failures.keySet()).as("writers' failures under READ COMMITTED")
            .allMatch(k -> k.startsWith("refresh"));
      }
    }
  }

  private WritersWithRefresher() {}

  /**
   * Runs {@code sessions} writer threads of {@code session} and, until they are all done, a
   * refresher of {@code streamTable} on {@code db} (scheduler off, never suspended by its errors).
   */
  public static Outcome run(TestDatabase db, int sessions, String streamTable, Session session)
      throws InterruptedException {
    Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    List<Throwable> unexpected = new ArrayList<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      int index = s;
      threads.add(new Thread(() -> guarded(unexpected, () -> session.run(index, failures))));
    }
    Thread refresher = new Thread(() -> guarded(unexpected, () -> {
      Properties patient = new Properties();
      patient.setProperty("trickle.scheduler", "false");
      patient.setProperty("trickle.max_consecutive_errors", "1000000");
      try (Connection c = db.connect(patient); Statement st = c.createStatement()) {
        while (writing.get()) {
          try {
            st.execute("SELECT pgtrickle.refresh_stream_table('" + streamTable + "')");
          } catch (SQLException e) {
            failures.computeIfAbsent("refresh " + e.getSQLState(), k -> new AtomicLong())
                .incrementAndGet();
          }
        }
      }
    }));
    threads.forEach(Thread::start);
    refresher.start();
    for (Thread t : threads) {
      t.join();
    }
    writing.set(false);
    refresher.join();
    return new Outcome(failures, unexpected);
  }

  /**
   * The writers of the IMMEDIATE concurrency tests, as a {@link Session}: sessions of odd index
   * write single statements in autocommit, with the history after which a session locks only its
   * groups or keys ({@code pgtrickle.__pgt_imm_single}); the others write one transaction in three
   * as a block of two or three statements. Each session runs {@code transactions} transactions of
   * statements {@code change} draws from a generator seeded by isolation, session count and
   * index, each retried after a serialization failure ({@link RetriedTransaction}).
   */
  public static Session randomChanges(
      LoginRole writer, int isolation, int sessions, int transactions,
      Function<Random, String> change) {
    return (s, failures) -> {
      boolean blocks = s % 2 == 0;
      try (Connection c = writer.connect()) {
        if (!blocks) {
          try (Statement st = c.createStatement()) {
            st.execute("SET pgtrickle.__pgt_imm_single = 33");
          }
        }
        c.setTransactionIsolation(isolation);
        Random r = new Random(isolation * 1000L + sessions * 100L + s);
        for (int t = 0; t < transactions; t++) {
          boolean block = blocks && r.nextInt(3) == 0;
          List<String> statements = new ArrayList<>();
          for (int i = block ? 2 + r.nextInt(2) : 1; i > 0; i--) {
            statements.add(change.apply(r));
          }
          RetriedTransaction.run(c, statements, block, failures);
        }
      }
    };
  }

  /** The cases of the writer runs: each isolation level with 2 sessions of 25 transactions and 8 of 10. */
  public static Stream<Arguments> cases() {
    return Stream.of(Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ,
            Connection.TRANSACTION_SERIALIZABLE)
        .flatMap(isolation -> Stream.of(
            Arguments.of(isolation, 2, 25), Arguments.of(isolation, 8, 10)));
  }

  private interface Work {
    void run() throws Exception;
  }

  private static void guarded(List<Throwable> unexpected, Work work) {
    try {
      work.run();
    } catch (Throwable e) {
      synchronized (unexpected) {
        unexpected.add(e);
      }
    }
  }
}

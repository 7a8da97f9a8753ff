package dev.trickle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Client threads of a throughput window, as the pgbench-shaped benchmarks run them: every client
 * starts at once, runs until told to stop after the window, and the first failure of any client
 * fails the window.
 */
final class TimedClients {
  /** One client: runs until {@code stop} is set. */
  @FunctionalInterface
  interface Client {
    void run(AtomicBoolean stop) throws Exception;
  }

  private TimedClients() {}

  /** Runs {@code clients} for {@code seconds}; returns the seconds they actually ran. */
  static double run(List<Client> clients, int seconds) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (Client client : clients) {
      threads.add(new Thread(() -> {
        try {
          client.run(stop);
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }));
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    return elapsed;
  }
}

package dev.trickle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Client threads of a throughput window, as the pgbench-shaped benchmarks run them: every client
 * starts at once, may first warm up (the window's clock starts once every client said it is warm),
 * runs until told to stop after the window, and the first failure of any client fails the window.
 */
final class TimedClients {
  /** One client: runs until {@code stop} is set; calls {@code warm} once, when warmed up. */
  @FunctionalInterface
  interface Client {
    void run(AtomicBoolean stop, Runnable warm) throws Exception;
  }

  private TimedClients() {}

  /**
   * Runs {@code clients} for a window of {@code seconds}, started (after {@code atStart} ran) once
   * every client called its {@code warm}; returns the seconds the window actually lasted.
   */
  static double run(List<Client> clients, int seconds, Runnable atStart) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch warm = new CountDownLatch(clients.size());
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (Client client : clients) {
      threads.add(new Thread(() -> {
        AtomicBoolean warmed = new AtomicBoolean();
        Runnable once = () -> {
          if (warmed.compareAndSet(false, true)) {
            warm.countDown();
          }
        };
        try {
          client.run(stop, once);
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        } finally {
          once.run();
        }
      }));
    }
    threads.forEach(Thread::start);
    warm.await();
    atStart.run();
    long start = System.nanoTime();
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

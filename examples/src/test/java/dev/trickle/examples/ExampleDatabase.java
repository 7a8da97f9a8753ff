package dev.trickle.examples;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.util.HashMap;
import java.util.Map;

/**
 * Databases on the one embedded PostgreSQL of this test JVM, each created on first use and kept
 * until the server stops with the JVM: a Spring application context is cached across test classes
 * and closes only at JVM exit, after a per-class database would already be gone.
 */
public final class ExampleDatabase {
  private static final Map<String, TestDatabase> BY_PURPOSE = new HashMap<>();

  private ExampleDatabase() {}

  /** The database for {@code purpose}, created on first use. */
  public static synchronized TestDatabase of(String purpose) {
    return BY_PURPOSE.computeIfAbsent(
        purpose,
        p -> {
          TestDatabase db = PostgresFixture.newDatabase();
          db.beforeAll(null);
          return db;
        });
  }
}

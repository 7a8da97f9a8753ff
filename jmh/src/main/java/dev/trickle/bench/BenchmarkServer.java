package dev.trickle.bench;

import dev.trickle.jdbc.TrickleDriver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One embedded PostgreSQL (the build's zonky binaries) tuned for benchmarking, with a database
 * owned by a non-superuser role, as an application would run. Durability is switched off (fsync,
 * synchronous_commit, full_page_writes) so the disk of a shared machine does not dominate; every
 * contender runs with the same settings, listed by {@link #settings()}. Autovacuum is off and
 * {@link #quiesce} does its work between timed refreshes instead: otherwise the vacuum of the
 * million rows one contender rewrote runs on the same two cores as the next contender's refresh,
 * whenever the autovacuum launcher happens to start it.
 *
 * <p>Connections are opened through driver instances rather than {@code DriverManager}, so the
 * benchmark also runs where the class loader hides the drivers from it (as under {@code exec:java}).
 */
public final class BenchmarkServer implements AutoCloseable {
  /** The role the benchmark connects as (owner of its database, not a superuser). */
  static final String ROLE = "bench";

  private static final String DATABASE = "bench";
  private static final Map<String, String> BASE_SETTINGS = baseSettings();

  private final EmbeddedPostgres postgres;
  private final Map<String, String> settings;
  private final TrickleDriver trickleDriver = new TrickleDriver();
  private final org.postgresql.Driver plainDriver = new org.postgresql.Driver();

  private BenchmarkServer(EmbeddedPostgres postgres, Map<String, String> settings) {
    this.postgres = postgres;
    this.settings = settings;
  }

  /**
   * Starts the server and creates the role and its database. With {@code explainOverMillis > 0},
   * {@code auto_explain} logs the plan (with actual row counts) of every statement slower than that,
   * including statements inside functions, to {@code postgresql.log} in {@code logDirectory}: for
   * diagnosing a slow refresh, not for timing runs.
   */
  public static BenchmarkServer start(int explainOverMillis, Path logDirectory) throws IOException, SQLException {
    Map<String, String> settings = new LinkedHashMap<>(BASE_SETTINGS);
    if (explainOverMillis > 0) {
      settings.putAll(explaining(explainOverMillis + "ms", "off", logDirectory));
    }
    return start(settings);
  }

  /**
   * Starts the server for diagnosis: every statement is logged with its duration ({@code
   * log_min_duration_statement = 0}) and {@code auto_explain} logs the plan of every statement,
   * nested ones included, with actual rows, times and buffers, to {@code postgresql.log} in {@code
   * logDirectory}. Everything runs slower so; not for timing runs.
   */
  public static BenchmarkServer startLoggingStatements(Path logDirectory)
      throws IOException, SQLException {
    Map<String, String> settings = new LinkedHashMap<>(BASE_SETTINGS);
    settings.putAll(explaining("0", "on", logDirectory));
    settings.put("log_min_duration_statement", "0");
    settings.put("auto_explain.log_buffers", "on");
    return start(settings);
  }

  private static Map<String, String> explaining(
      String minDuration, String timing, Path logDirectory) throws IOException {
    Files.createDirectories(logDirectory);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("session_preload_libraries", "auto_explain");
    settings.put("auto_explain.log_min_duration", minDuration);
    settings.put("auto_explain.log_analyze", "on");
    settings.put("auto_explain.log_timing", timing);
    settings.put("auto_explain.log_nested_statements", "on");
    settings.put("logging_collector", "on");
    settings.put("log_directory", logDirectory.toAbsolutePath().toString());
    settings.put("log_filename", "postgresql.log");
    return settings;
  }

  private static BenchmarkServer start(Map<String, String> settings)
      throws IOException, SQLException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofMinutes(2));
    settings.forEach(builder::setServerConfig);
    BenchmarkServer server = new BenchmarkServer(builder.start(), Collections.unmodifiableMap(settings));
    try (Connection c = server.postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE ROLE "
              + ROLE
              + " LOGIN PASSWORD '"
              + ROLE
              + "' NOSUPERUSER NOCREATEDB NOCREATEROLE");
      st.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
    } catch (SQLException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The non-default server settings, for the report. */
  public Map<String, String> settings() {
    return settings;
  }

  /**
   * Brings the server to a quiet state before a timed refresh: {@code VACUUM} of the tables the
   * contenders rewrite whole (what autovacuum would do, done now rather than during the next
   * refresh) and a {@code CHECKPOINT} (so no contender pays for writing out the pages the one
   * before dirtied), as the superuser. Nothing is analyzed: new statistics would make every
   * session plan its prepared statements again, which a stream table refreshing in steady state
   * does only now and then.
   *
   * @param tables names of the tables to vacuum, as SQL identifiers
   */
  public void quiesce(List<String> tables) throws SQLException {
    try (Connection c = postgres.getDatabase("postgres", DATABASE).getConnection();
        Statement st = c.createStatement()) {
      st.execute("VACUUM " + String.join(", ", tables));
      st.execute("CHECKPOINT");
    }
  }

  /** A connection through the Trickle driver, with the background scheduler off. */
  public Connection connectTrickle(boolean debugPlan) throws SQLException {
    String url = "jdbc:trickle:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE
        + "?trickle.scheduler=false" + (debugPlan ? "&trickle.debug_plan=true" : "");
    return trickleDriver.connect(url, credentials());
  }

  /** A plain PgJDBC connection as the same role (for source changes and materialized views). */
  public Connection connectPlain() throws SQLException {
    return plainDriver.connect(
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE, credentials());
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  private static Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", ROLE);
    p.setProperty("password", ROLE);
    return p;
  }

  private static Map<String, String> baseSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("shared_buffers", "512MB");
    s.put("work_mem", "64MB");
    s.put("maintenance_work_mem", "256MB");
    s.put("fsync", "off");
    s.put("synchronous_commit", "off");
    s.put("full_page_writes", "off");
    s.put("max_wal_size", "4GB");
    s.put("autovacuum", "off");
    return Collections.unmodifiableMap(s);
  }
}

package dev.trickle.jdbc;

import dev.trickle.compile.IvmMaintenanceCompiler;
import dev.trickle.refresh.CompilationCache;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.scheduler.RefreshScheduler;
import dev.trickle.scheduler.SchedulerTarget;
import dev.trickle.scheduler.Schedulers;
import dev.trickle.service.CommandExecutor;
import dev.trickle.service.StreamTableService;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The {@code jdbc:trickle:postgresql:} JDBC driver: opens a PgJDBC connection for the URL without
 * its {@code jdbc:trickle:} prefix and wraps it so that stream-table statements reach Trickle while
 * everything else goes to PostgreSQL untouched.
 *
 * <p>Registered with {@link DriverManager} when the class loads (found through {@code
 * META-INF/services/java.sql.Driver}); {@link #deregister()} and {@link #register()} let containers
 * unload and reload it. PgJDBC is called through an instance held here, never through {@code
 * DriverManager}, so Trickle's properties cannot leak to it.
 *
 * <p>Connecting also starts the background refresh scheduler of the database (one per JVM and
 * database, see {@link Schedulers}) when its catalog is installed, unless the connection property
 * {@code trickle.scheduler} is false; a stream-table command on the connection (such as {@code
 * CREATE EXTENSION pg_trickle}) starts it too. {@link #deregister()} stops every scheduler.
 *
 * <p>Where the driver starts, it builds what every layer below shares: one compilation cache over
 * the delta compiler, one {@link RefreshEngine} over it, handed to the stream-table service and to
 * the schedulers this driver starts, and, per connection, the {@code trickle.*} settings read
 * once into a {@link dev.trickle.catalog.DriverSettings}.
 */
public final class TrickleDriver implements Driver {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(TrickleDriver.class);
  private static final TrickleDriver INSTANCE = new TrickleDriver();
  private static boolean registered;

  static {
    try {
      register();
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Driver delegate;
  private final RefreshEngine engine;
  private final CommandExecutor executor;

  /**
   * A driver over PgJDBC and the stream-table service; applications normally let {@code
   * DriverManager} make it.
   */
  public TrickleDriver() {
    this(new org.postgresql.Driver(), new CompilationCache(new IvmMaintenanceCompiler()));
  }

  private TrickleDriver(Driver delegate, MaintenanceCompiler compiler) {
    this(delegate, compiler, new RefreshEngine(compiler));
  }

  private TrickleDriver(Driver delegate, MaintenanceCompiler compiler, RefreshEngine engine) {
    this(delegate, engine, new StreamTableService(compiler, engine));
  }

  /**
   * A driver over the given PgJDBC driver, refresh engine (for the schedulers it starts) and
   * command executor; tests substitute them.
   */
  TrickleDriver(Driver delegate, RefreshEngine engine, CommandExecutor executor) {
    this.delegate = delegate;
    this.engine = engine;
    this.executor = executor;
  }

  /**
   * Registers the driver with {@link DriverManager}. Done when the class loads; call it again only
   * after {@link #deregister()}.
   *
   * @throws IllegalStateException if the driver is already registered
   */
  public static synchronized void register() throws SQLException {
    if (registered) {
      throw new IllegalStateException(
          "the Trickle driver is already registered; it can be registered only once");
    }
    DriverManager.registerDriver(INSTANCE);
    registered = true;
  }

  /**
   * Deregisters the driver from {@link DriverManager}, for example when a web application stops,
   * and stops the refresh schedulers it started (a refresh in progress finishes first).
   *
   * @throws IllegalStateException if the driver is not registered
   */
  public static synchronized void deregister() throws SQLException {
    if (!registered) {
      throw new IllegalStateException(
          "the Trickle driver is not registered; call TrickleDriver.register() first");
    }
    DriverManager.deregisterDriver(INSTANCE);
    registered = false;
    Schedulers.stopAll();
  }

  /**
   * Starts the refresh scheduler for the database of a {@code jdbc:trickle:postgresql:} URL (or
   * returns the one running in this JVM), whatever its {@code trickle.scheduler} property says: for
   * processes that run only the scheduler, such as {@code trickle scheduler}. It stands by until
   * the database's catalog exists (giving up after a while) and until it wins the leadership.
   *
   * @param info connection properties: credentials and {@code trickle.*} settings
   * @throws SQLException 08001 for a malformed URL, 22023 for a bad {@code trickle.*} property
   */
  public static RefreshScheduler startScheduler(String url, Properties info) throws SQLException {
    if (!ConnectionSettings.accepts(url)) {
      throw new SQLException(
          "the scheduler needs a jdbc:trickle:postgresql: URL, not " + url, "08001");
    }
    return Schedulers.start(target(ConnectionSettings.parse(url, info)), INSTANCE.engine);
  }

  /** True while the driver is registered with {@link DriverManager}. */
  public static synchronized boolean isRegistered() {
    return registered;
  }

  /** The instance {@link #register()} registers, also used by {@link TrickleDataSource}. */
  static TrickleDriver instance() {
    return INSTANCE;
  }

  /**
   * Opens a wrapped PostgreSQL connection.
   *
   * @return null when {@code url} is not a {@code jdbc:trickle:} URL, as {@link Driver} requires
   * @throws SQLException 08001 for a malformed Trickle URL, 22023 for a bad {@code trickle.*}
   *     property, or whatever PgJDBC reports
   */
  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    ConnectionSettings settings = ConnectionSettings.parse(url, info);
    Connection physical = delegate.connect(settings.delegateUrl(), settings.delegateProperties());
    if (physical == null) {
      throw new SQLException(
          "PgJDBC did not accept " + settings.delegateUrl() + "; check the URL after jdbc:trickle:",
          "08001");
    }
    CommandExecutor commands = executor;
    if (TrickleProperty.SCHEDULER.getBoolean(settings.trickleProperties())) {
      SchedulerTarget target = target(settings);
      startSchedulerQuietly(target, engine, physical);
      commands = new SchedulerStartingExecutor(executor, target, engine);
    }
    return new TrickleConnection(
        physical, new StatementRouter(physical, commands, settings.settings()));
  }

  private static SchedulerTarget target(ConnectionSettings settings) throws SQLException {
    return SchedulerTarget.of(
        settings.delegateUrl(), settings.delegateProperties(), settings.settings());
  }

  /**
   * Starts the database's scheduler if it should run; a failure of the check never fails the
   * application's connection or command.
   */
  static void startSchedulerQuietly(
      SchedulerTarget target, RefreshEngine engine, Connection physical) {
    try {
      Schedulers.startIfInstalled(target, engine, physical);
    } catch (SQLException | RuntimeException e) {
      LOG.atDebug().log(() -> "could not check whether to start the scheduler: " + e);
    }
  }


  /**
   * True for every {@code jdbc:trickle:} URL; {@link #connect} explains what is wrong with a bad
   * one.
   */
  @Override
  public boolean acceptsURL(String url) {
    return ConnectionSettings.accepts(url);
  }

  /** PgJDBC's properties for the delegated URL followed by Trickle's own. */
  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return new DriverPropertyInfo[0];
    }
    ConnectionSettings settings = ConnectionSettings.parse(url, info);
    DriverPropertyInfo[] postgres =
        delegate.getPropertyInfo(settings.delegateUrl(), settings.delegateProperties());
    return Stream.concat(
            Arrays.stream(postgres),
            Arrays.stream(TrickleProperty.values())
                .map(p -> p.toDriverPropertyInfo(settings.trickleProperties())))
        .toArray(DriverPropertyInfo[]::new);
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  /** False: the wrapped PgJDBC driver does not claim full JDBC compliance either. */
  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.trickle");
  }
}

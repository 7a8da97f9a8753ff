package dev.trickle.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer metrics of the stream tables of the database behind a {@link DataSource}, read from
 * the Trickle catalog every poll interval (so they cover refreshes by every process, manual and
 * scheduled, and only committed ones):
 *
 * <ul>
 *   <li>{@value #REFRESH_DURATION} (timer; tags {@code stream_table}, {@code action}): each
 *       completed refresh's duration;
 *   <li>{@value #REFRESH_ROWS} (counter; tags {@code stream_table}, {@code action}, {@code kind} =
 *       inserted | deleted): rows the refreshes wrote;
 *   <li>{@value #REFRESH_FAILURES} (counter; tag {@code stream_table}): failed refreshes;
 *   <li>{@value #SUSPENSIONS} (counter; tag {@code stream_table}): times a stream table was seen
 *       to become SUSPENDED;
 *   <li>{@value #STALENESS} (gauge, seconds; tag {@code stream_table}): now minus the stream
 *       table's {@code data_timestamp}, 0 for an IMMEDIATE one (NaN before its first population);
 *   <li>{@value #BUFFERED_ROWS} (gauge; tag {@code source}): change-buffer rows the slowest reader
 *       of the source has not consumed yet;
 *   <li>{@value #LEADER} (gauge): 1 while this process's scheduler leads the database, else 0.
 * </ul>
 *
 * Counting starts when the metrics are bound: refreshes that started before are not counted; a
 * database without the catalog reports nothing until it is installed. Bind with
 * {@code new TrickleMetrics(dataSource, Duration.ofSeconds(10)).bindTo(registry)} and {@link
 * #close()} when done; {@link #poll()} reads the catalog at once.
 */
public final class TrickleMetrics implements MeterBinder, AutoCloseable {
  /** Timer of completed refreshes. */
  public static final String REFRESH_DURATION = "trickle.refresh.duration";
  /** Counter of rows written by refreshes. */
  public static final String REFRESH_ROWS = "trickle.refresh.rows";
  /** Counter of failed refreshes. */
  public static final String REFRESH_FAILURES = "trickle.refresh.failures";
  /** Counter of suspensions. */
  public static final String SUSPENSIONS = "trickle.stream_table.suspensions";
  /** Gauge of staleness in seconds. */
  public static final String STALENESS = "trickle.stream_table.staleness";
  /** Gauge of unconsumed change-buffer rows per source. */
  public static final String BUFFERED_ROWS = "trickle.change_buffer.rows";
  /** Gauge of this process's scheduler leadership. */
  public static final String LEADER = "trickle.scheduler.leader";

  private static final Logger LOG = LoggerFactory.getLogger(TrickleMetrics.class);
  /** History ids below the highest seen that are read again: transactions commit out of order. */
  private static final long LOOKBACK = 1000;

  private final DataSource dataSource;
  private final Duration interval;
  private final Map<String, String> statuses = new HashMap<>();
  private final Map<String, Gauged> staleness = new HashMap<>();
  private final Map<String, Gauged> bufferedRows = new HashMap<>();
  private final NavigableSet<Long> counted = new TreeSet<>();
  private final AtomicLong leader = new AtomicLong();
  private MeterRegistry registry;
  private ScheduledExecutorService poller;
  private Instant boundAt;

  /**
   * Metrics of the database {@code dataSource} reaches.
   *
   * @param interval how often the catalog is read; zero reads it only when {@link #poll()} is
   *     called
   */
  public TrickleMetrics(DataSource dataSource, Duration interval) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.interval = Objects.requireNonNull(interval, "interval");
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    this.registry = registry;
    this.boundAt = Instant.now();
    Gauge.builder(LEADER, leader, AtomicLong::get)
        .description("1 while this process's Trickle scheduler leads the database, else 0")
        .register(registry);
    if (!interval.isZero() && poller == null) {
      poller =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "trickle-metrics");
                t.setDaemon(true);
                return t;
              });
      poller.scheduleWithFixedDelay(
          this::pollQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Reads the catalog now and updates the meters. */
  public synchronized void poll() throws SQLException {
    if (registry == null) {
      throw new SQLException("bind the metrics to a registry before polling", "55000");
    }
    try (Connection c = dataSource.getConnection()) {
      if (!CatalogReading.installed(c)) {
        return;
      }
      long after = counted.isEmpty() ? 0 : counted.last() - LOOKBACK;
      CatalogReading reading = CatalogReading.read(c, after, boundAt);
      reading.refreshes().forEach(this::count);
      reading.streamTables().values().forEach(this::observe);
      forgetAbsent(staleness, reading.streamTables().keySet());
      statuses.keySet().retainAll(reading.streamTables().keySet());
      reading.bufferedRows().forEach(
          (source, rows) -> gauge(bufferedRows, BUFFERED_ROWS, "source", source).set(rows));
      forgetAbsent(bufferedRows, reading.bufferedRows().keySet());
      leader.set(reading.leader() ? 1 : 0);
    }
  }

  /** Stops polling; the meters stay registered with their last values. */
  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.shutdownNow();
      poller = null;
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not read the Trickle catalog for metrics: {}", e.getMessage());
    }
  }

  private void count(CatalogReading.RecordedRefresh r) {
    if (!counted.add(r.id())) {
      return;
    }
    while (counted.size() > 1 && counted.first() < counted.last() - LOOKBACK) {
      counted.pollFirst();
    }
    if (!r.completed()) {
      failures(r.streamTable()).increment();
      return;
    }
    Tags tags = Tags.of("stream_table", r.streamTable(), "action", r.action());
    Timer.builder(REFRESH_DURATION)
        .description("duration of completed refreshes")
        .tags(tags)
        .register(registry)
        .record(Duration.ofNanos(Math.round(r.seconds() * 1e9)));
    rows(tags, "inserted").increment(r.rowsInserted());
    rows(tags, "deleted").increment(r.rowsDeleted());
  }

  private Counter rows(Tags tags, String kind) {
    return Counter.builder(REFRESH_ROWS)
        .description("rows written to stream tables by refreshes")
        .tags(tags.and("kind", kind))
        .register(registry);
  }

  private void observe(CatalogReading.StreamTableReading st) {
    String previous = statuses.put(st.name(), st.status());
    if ("SUSPENDED".equals(st.status()) && previous != null && !"SUSPENDED".equals(previous)) {
      suspensions(st.name()).increment();
    } else if (previous == null) {
      suspensions(st.name());
      failures(st.name());
    }
    gauge(staleness, STALENESS, "stream_table", st.name())
        .set(st.stalenessSeconds() == null ? Double.NaN : st.stalenessSeconds());
  }

  private Counter failures(String streamTable) {
    return Counter.builder(REFRESH_FAILURES)
        .description("failed refreshes")
        .tag("stream_table", streamTable)
        .register(registry);
  }

  private Counter suspensions(String streamTable) {
    return Counter.builder(SUSPENSIONS)
        .description("times the stream table became SUSPENDED")
        .tag("stream_table", streamTable)
        .register(registry);
  }

  private Gauged gauge(Map<String, Gauged> gauges, String name, String tag, String value) {
    return gauges.computeIfAbsent(value, v -> Gauged.register(registry, name, tag, v));
  }

  private void forgetAbsent(Map<String, Gauged> gauges, Set<String> present) {
    gauges.entrySet().removeIf(
        e -> {
          if (present.contains(e.getKey())) {
            return false;
          }
          registry.remove(e.getValue().meter());
          return true;
        });
  }

  /** A gauge and the value it reports. */
  private record Gauged(Meter meter, AtomicReference<Double> value) {
    static Gauged register(MeterRegistry registry, String name, String tag, String tagValue) {
      AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
      Gauge gauge =
          Gauge.builder(name, holder, AtomicReference::get)
              .tag(tag, tagValue)
              .description(
                  STALENESS.equals(name)
                      ? "age of the data the stream table reflects (0 for IMMEDIATE)"
                      : "change-buffer rows the source's slowest reader has not consumed")
              .baseUnit(STALENESS.equals(name) ? "seconds" : "rows")
              .register(registry);
      return new Gauged(gauge, holder);
    }

    void set(double v) {
      value.set(v);
    }
  }
}

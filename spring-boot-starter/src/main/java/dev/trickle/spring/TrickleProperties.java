package dev.trickle.spring;

import dev.trickle.jdbc.TrickleProperty;
import java.time.Duration;
import java.util.Properties;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code trickle.*} application properties. Those of the scheduler and the commands become the
 * driver's connection properties ({@link TrickleProperty}, docs/configuration.md) on the
 * application's pool; a property left unset leaves the driver's default (or the server setting) in
 * force.
 */
@ConfigurationProperties(prefix = "trickle")
public class TrickleProperties {
  private final Scheduler scheduler = new Scheduler();
  private final Metrics metrics = new Metrics();
  /** The shortest schedule create and alter accept ({@code trickle.min_schedule_seconds}). */
  private Duration minSchedule;
  /** Log the delta compiler's plan around each pass ({@code trickle.debug_plan}). */
  private Boolean debugPlan;

  public Scheduler getScheduler() {
    return scheduler;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Duration getMinSchedule() {
    return minSchedule;
  }

  public void setMinSchedule(Duration minSchedule) {
    this.minSchedule = minSchedule;
  }

  public Boolean getDebugPlan() {
    return debugPlan;
  }

  public void setDebugPlan(Boolean debugPlan) {
    this.debugPlan = debugPlan;
  }

  /** The driver's connection properties these settings stand for (only those set). */
  public Properties toConnectionProperties() {
    Properties p = new Properties();
    put(p, TrickleProperty.SCHEDULER, scheduler.enabled);
    put(p, TrickleProperty.SCHEDULER_INTERVAL_MS,
        scheduler.interval == null ? null : scheduler.interval.toMillis());
    put(p, TrickleProperty.PARALLEL_REFRESH_MODE,
        scheduler.parallel == null ? null : scheduler.parallel ? "on" : "off");
    put(p, TrickleProperty.MAX_DYNAMIC_REFRESH_WORKERS, scheduler.maxWorkers);
    put(p, TrickleProperty.MAX_CONSECUTIVE_ERRORS, scheduler.maxConsecutiveErrors);
    put(p, TrickleProperty.MIN_SCHEDULE_SECONDS,
        minSchedule == null ? null : minSchedule.toSeconds());
    put(p, TrickleProperty.DEBUG_PLAN, debugPlan);
    return p;
  }

  private static void put(Properties p, TrickleProperty property, Object value) {
    if (value != null) {
      p.setProperty(property.getName(), value.toString());
    }
  }

  /** {@code trickle.scheduler.*}: the background refresh scheduler. */
  public static class Scheduler {
    /** Start the scheduler for the database ({@code trickle.scheduler}). */
    private Boolean enabled;
    /** Longest wait between passes ({@code trickle.scheduler_interval_ms}). */
    private Duration interval;
    /** Refresh independent stream tables concurrently ({@code trickle.parallel_refresh_mode}). */
    private Boolean parallel;
    /** Most refreshes at once in parallel mode ({@code trickle.max_dynamic_refresh_workers}). */
    private Integer maxWorkers;
    /** Failures in a row that suspend a stream table ({@code trickle.max_consecutive_errors}). */
    private Integer maxConsecutiveErrors;

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Boolean getParallel() {
      return parallel;
    }

    public void setParallel(Boolean parallel) {
      this.parallel = parallel;
    }

    public Integer getMaxWorkers() {
      return maxWorkers;
    }

    public void setMaxWorkers(Integer maxWorkers) {
      this.maxWorkers = maxWorkers;
    }

    public Integer getMaxConsecutiveErrors() {
      return maxConsecutiveErrors;
    }

    public void setMaxConsecutiveErrors(Integer maxConsecutiveErrors) {
      this.maxConsecutiveErrors = maxConsecutiveErrors;
    }
  }

  /** {@code trickle.metrics.*}: the Micrometer metrics. */
  public static class Metrics {
    /** Bind the metrics to the application's MeterRegistry. */
    private boolean enabled = true;
    /** How often the metrics read the catalog. */
    private Duration interval = Duration.ofSeconds(10);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }
  }
}

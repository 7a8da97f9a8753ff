package dev.trickle.cli;

/**
 * Where the driver's log (SLF4J, bound to slf4j-simple in the {@code trickle} command, configured
 * by {@code simplelogger.properties}) goes: warnings and errors only during {@code run} and {@code
 * shell}; during {@code trickle scheduler} also every scheduler event, down to each refresh (logger
 * {@code dev.trickle.scheduler} at DEBUG), one timestamped line each on stderr.
 *
 * <p>slf4j-simple reads a logger's level when the logger is created, so {@link #verbose()} must run
 * before the scheduler's classes load; system properties override the properties file.
 */
final class SchedulerLog {
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private SchedulerLog() {}

  /** Everything the scheduler does, one line per event on stderr. */
  static void verbose() {
    System.setProperty(PREFIX + "log.dev.trickle.scheduler", "debug");
    System.setProperty(PREFIX + "showDateTime", "true");
    System.setProperty(PREFIX + "dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
    System.setProperty(PREFIX + "showThreadName", "false");
    System.setProperty(PREFIX + "showShortLogName", "false");
    System.setProperty(PREFIX + "showLogName", "false");
  }
}

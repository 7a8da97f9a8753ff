package dev.trickle.jdbc;

import dev.trickle.catalog.DriverSettings;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A {@code jdbc:trickle:postgresql:} URL and its properties, split into what PgJDBC gets (the
 * {@code jdbc:postgresql:} URL and every non-Trickle property) and what Trickle keeps (the {@code
 * trickle.*} properties, from the {@code Properties} and from the URL's query string, the URL
 * winning as in PgJDBC). Trickle properties never reach PgJDBC.
 */
final class ConnectionSettings {
  /** URLs starting with this belong to Trickle; anything else is left to other drivers. */
  static final String TRICKLE_PREFIX = "jdbc:trickle:";

  private static final String SUPPORTED_PREFIX = TRICKLE_PREFIX + "postgresql:";
  private static final String EXAMPLE = "jdbc:trickle:postgresql://host:5432/database";

  private final String delegateUrl;
  private final Properties delegateProperties;
  private final Properties trickleProperties;
  private final DriverSettings settings;

  private ConnectionSettings(
      String delegateUrl,
      Properties delegateProperties,
      Properties trickleProperties,
      DriverSettings settings) {
    this.delegateUrl = delegateUrl;
    this.delegateProperties = delegateProperties;
    this.trickleProperties = trickleProperties;
    this.settings = settings;
  }

  /** True for URLs in Trickle's namespace, valid or not. */
  static boolean accepts(String url) {
    return url != null && url.startsWith(TRICKLE_PREFIX);
  }

  /**
   * Splits an accepted URL and its properties.
   *
   * @param info the caller's properties (not modified; may be null)
   * @throws SQLException 08001 when the URL is not a valid Trickle PostgreSQL URL, 22023 for an
   *     unknown {@code trickle.*} property or a bad value
   */
  static ConnectionSettings parse(String url, Properties info) throws SQLException {
    if (!url.startsWith(SUPPORTED_PREFIX)) {
      throw new SQLException(
          "Trickle wraps PostgreSQL only: the URL must start with "
              + SUPPORTED_PREFIX
              + " (for example "
              + EXAMPLE
              + "), not "
              + withoutQuery(url),
          "08001");
    }
    Properties delegateProperties = new Properties();
    Properties trickleProperties = new Properties();
    if (info != null) {
      for (String key : info.stringPropertyNames()) {
        Properties target =
            TrickleProperty.isTrickleKey(key) ? trickleProperties : delegateProperties;
        target.setProperty(key, info.getProperty(key));
      }
    }
    String delegateUrl =
        "jdbc:" + moveTrickleParameters(url.substring(TRICKLE_PREFIX.length()), trickleProperties);
    requireKnown(trickleProperties);
    DriverSettings settings = TrickleProperty.read(trickleProperties);
    if (org.postgresql.Driver.parseURL(delegateUrl, delegateProperties) == null) {
      throw new SQLException(
          "invalid Trickle URL "
              + withoutQuery(url)
              + ": after jdbc:trickle: it must be a valid PgJDBC URL, for example "
              + EXAMPLE,
          "08001");
    }
    return new ConnectionSettings(delegateUrl, delegateProperties, trickleProperties, settings);
  }

  /** The {@code jdbc:postgresql:} URL handed to PgJDBC, without Trickle parameters. */
  String delegateUrl() {
    return delegateUrl;
  }

  /** The properties handed to PgJDBC: everything but {@code trickle.*}. */
  Properties delegateProperties() {
    return delegateProperties;
  }

  /** The {@code trickle.*} properties that were given (defaults are not filled in). */
  Properties trickleProperties() {
    return trickleProperties;
  }

  /** The {@code trickle.*} properties read into the value the packages below the driver take. */
  DriverSettings settings() {
    return settings;
  }

  /**
   * Removes {@code trickle.*} parameters from the query string of {@code url}, storing their
   * decoded values in {@code trickleProperties}, and returns the rest unchanged.
   */
  private static String moveTrickleParameters(String url, Properties trickleProperties)
      throws SQLException {
    int question = url.indexOf('?');
    if (question < 0) {
      return url;
    }
    StringBuilder kept = new StringBuilder(url.length()).append(url, 0, question);
    char separator = '?';
    for (String parameter : url.substring(question + 1).split("&", -1)) {
      int equals = parameter.indexOf('=');
      String key = decode(equals < 0 ? parameter : parameter.substring(0, equals));
      if (TrickleProperty.isTrickleKey(key)) {
        trickleProperties.setProperty(
            key, equals < 0 ? "" : decode(parameter.substring(equals + 1)));
      } else if (!parameter.isEmpty()) {
        kept.append(separator).append(parameter);
        separator = '&';
      }
    }
    return kept.toString();
  }

  private static String decode(String text) throws SQLException {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new SQLException(
          "invalid Trickle URL: bad %-encoding in its query string near '" + text + "'",
          "08001",
          e);
    }
  }

  private static void requireKnown(Properties trickleProperties) throws SQLException {
    for (String key : trickleProperties.stringPropertyNames()) {
      TrickleProperty.forName(key)
              .orElseThrow(
                  () ->
                      new SQLException(
                          "unknown connection property "
                              + key
                              + "; Trickle knows "
                              + knownNames()
                              + " (see docs/configuration.md)",
                          "22023"));
    }
  }

  private static String knownNames() {
    StringBuilder names = new StringBuilder();
    for (TrickleProperty p : TrickleProperty.values()) {
      names.append(names.length() == 0 ? "" : ", ").append(p.getName());
    }
    return names.toString();
  }

  /** The URL without its query string, which may hold a password. */
  private static String withoutQuery(String url) {
    int question = url.indexOf('?');
    return question < 0 ? url : url.substring(0, question) + "?...";
  }
}

package dev.trickle.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A connection URL as the user typed it, turned into a {@code jdbc:trickle:postgresql:} URL plus
 * connection properties, so that every session goes through the Trickle driver.
 *
 * <p>Accepted forms: {@code jdbc:trickle:postgresql://...} (kept), {@code jdbc:postgresql://...}
 * (prefixed with {@code trickle:}) and libpq URIs {@code postgresql://[user[:password]@][hosts]
 * [/database][?params]} or {@code postgres://...}, whose percent-encoded user and password become
 * properties and whose hosts, database and parameters carry over unchanged.
 */
record ConnectionUrl(String jdbcUrl, Properties properties) {
  private static final String TRICKLE_PREFIX = "jdbc:trickle:postgresql:";
  private static final String PGJDBC_PREFIX = "jdbc:postgresql:";

  /** Converts {@code url}; throws {@link IllegalArgumentException} for any other form. */
  static ConnectionUrl parse(String url) {
    if (url.startsWith(TRICKLE_PREFIX)) {
      return new ConnectionUrl(url, new Properties());
    }
    if (url.startsWith(PGJDBC_PREFIX)) {
      return new ConnectionUrl("jdbc:trickle:" + url.substring("jdbc:".length()), new Properties());
    }
    for (String scheme : new String[] {"postgresql://", "postgres://"}) {
      if (url.startsWith(scheme)) {
        return fromLibpq(url.substring(scheme.length()));
      }
    }
    int schemeEnd = url.indexOf("//");
    throw new IllegalArgumentException(
        "unsupported connection URL '"
            + (schemeEnd < 0 ? url : url.substring(0, schemeEnd) + "//...")
            + "': use jdbc:trickle:postgresql://host:port/db, jdbc:postgresql://host:port/db"
            + " or postgresql://user:password@host:port/db");
  }

  private static ConnectionUrl fromLibpq(String rest) {
    int queryStart = rest.indexOf('?');
    String query = queryStart < 0 ? "" : rest.substring(queryStart);
    String beforeQuery = queryStart < 0 ? rest : rest.substring(0, queryStart);
    int pathStart = beforeQuery.indexOf('/');
    String authority = pathStart < 0 ? beforeQuery : beforeQuery.substring(0, pathStart);
    String database = pathStart < 0 ? "" : beforeQuery.substring(pathStart + 1);

    Properties properties = new Properties();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      if (!user.isEmpty()) {
        properties.setProperty("user", decode(user));
      }
      if (colon >= 0) {
        properties.setProperty("password", decode(userInfo.substring(colon + 1)));
      }
    }
    String hosts = authority.substring(at + 1);
    if (hosts.isEmpty()) {
      hosts = "localhost";
    }
    return new ConnectionUrl(TRICKLE_PREFIX + "//" + hosts + "/" + database + query, properties);
  }

  /** Percent-decodes a user or password; unlike form decoding, {@code +} stays a plus. */
  private static String decode(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad percent-encoding in the user or password of the connection URL", e);
    }
  }
}

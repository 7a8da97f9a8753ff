package dev.trickle.tpch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One of the 22 TPC-H queries, as the resource {@code queries/qNN.sql} holds it: the
 * specification's text (2.4.0, clause 2.4) with the substitution parameters of its validation
 * run, with two changes a maintained table needs: {@code ORDER BY} is kept only where a {@code
 * LIMIT} makes it part of the result (Q2, Q3, Q10, Q18, Q21), and Q15's view {@code revenue0} is a
 * CTE of the query.
 *
 * @param number 1 to 22
 * @param sql the query text, without a trailing semicolon
 */
public record TpchQuery(int number, String sql) {
  /** How many queries TPC-H has. */
  public static final int COUNT = 22;

  /** {@code q01} to {@code q22}: the query's short name, usable as part of an identifier. */
  public String key() {
    return String.format(Locale.ROOT, "q%02d", number);
  }

  /** {@code Q1} to {@code Q22}, as the specification names them. */
  public String title() {
    return "Q" + number;
  }

  /** The query numbered {@code number} (1 to 22). */
  public static TpchQuery of(int number) {
    if (number < 1 || number > COUNT) {
      throw new IllegalArgumentException("TPC-H has queries 1 to 22, not " + number);
    }
    String resource = String.format(Locale.ROOT, "queries/q%02d.sql", number);
    try (InputStream in = TpchQuery.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new TpchQuery(number, new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** The 22 queries in order. */
  public static List<TpchQuery> all() {
    List<TpchQuery> queries = new ArrayList<>(COUNT);
    for (int n = 1; n <= COUNT; n++) {
      queries.add(of(n));
    }
    return List.copyOf(queries);
  }
}

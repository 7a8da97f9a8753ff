package dev.trickle.ivm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Seeded, reproducible queries for fuzzing the recognizers and the delta compiler: the golden
 * queries, the 22 TPC-H queries and query blocks without FROM as they are, and mutated (a token deleted, duplicated or swapped
 * with its neighbour, a keyword replaced by another, the text truncated, an identifier replaced by
 * a random one, a value replaced by NULL, a relation or the whole query nested in a subquery), plus
 * small generated queries over the same tables. The tables are those of {@code
 * fuzz/tpch-schema.sql}.
 */
public final class FuzzQueries {
  private static final Pattern TOKEN =
      Pattern.compile("'(?:[^']|'')*'|\"[^\"]*\"|\\$\\$|[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\\.[0-9]+)?"
          + "|<>|<=|>=|\\|\\||::|\\S");
  private static final String[] KEYWORDS = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "JOIN", "LEFT",
    "RIGHT", "FULL", "INNER", "CROSS", "ON", "USING", "AND", "OR", "NOT", "IN", "EXISTS", "UNION",
    "ALL", "EXCEPT", "INTERSECT", "DISTINCT", "AS", "WITH", "RECURSIVE", "LATERAL", "CASE", "WHEN",
    "THEN", "ELSE", "END", "NULL", "IS", "BETWEEN", "LIKE", "OVER", "PARTITION", "VALUES", "TABLE"
  };
  private static final String[] TABLES = {"emp", "dept", "edges", "departments", "orders",
    "lineitem", "customer", "nation"};
  private static final String[][] COLUMNS = {
    {"id", "dept_id", "salary", "tag"}, {"id", "name", "region"}, {"src", "dst"},
    {"id", "name", "parent_id"}, {"o_orderkey", "o_custkey", "o_totalprice", "o_orderdate"},
    {"l_orderkey", "l_partkey", "l_quantity", "l_discount"},
    {"c_custkey", "c_name", "c_nationkey", "c_acctbal"}, {"n_nationkey", "n_name", "n_regionkey"}
  };

  /** Query blocks without FROM, alone and inside others. */
  private static final List<String> FROMLESS =
      List.of(
          "SELECT 1 AS x",
          "SELECT NULL AS nothing, 'a' AS letter",
          "SELECT (SELECT max(salary) FROM emp) AS top",
          "SELECT x FROM (SELECT 1 AS x) AS s",
          "SELECT e.id FROM emp e WHERE e.dept_id IN (SELECT 1)",
          "SELECT e.id FROM emp e WHERE EXISTS (SELECT 1 WHERE e.salary > 0)",
          "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5)"
              + " SELECT n FROM r",
          "WITH RECURSIVE t AS (SELECT 1 AS node UNION ALL SELECT e.dst FROM edges e JOIN t"
              + " ON e.src = t.node) SELECT node FROM t",
          "SELECT 1 AS x UNION ALL SELECT id FROM dept",
          "VALUES (1, 'a'), (NULL, NULL)");

  private final Random random;
  private final List<String> corpus;

  /** Queries drawn with {@code seed} from the golden queries and the TPC-H queries. */
  public FuzzQueries(long seed) {
    this.random = new Random(seed);
    List<String> all = new ArrayList<>(statements(resource("fuzz/tpch.sql")));
    all.addAll(goldenQueries());
    all.addAll(FROMLESS);
    this.corpus = List.copyOf(all);
  }

  /** The queries mutated and generated from: TPC-H's and the golden ones. */
  public List<String> corpus() {
    return corpus;
  }

  /** The next query: a corpus query (mutated most of the time) or a generated one. */
  public String next() {
    int kind = random.nextInt(10);
    if (kind == 0) {
      return generated();
    }
    String query = corpus.get(random.nextInt(corpus.size()));
    int mutations = kind == 1 ? 0 : 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      query = mutate(query);
    }
    return query;
  }

  /** One mutation of {@code query}. */
  String mutate(String query) {
    List<String> tokens = tokens(query);
    if (tokens.isEmpty()) {
      return query;
    }
    int at = random.nextInt(tokens.size());
    switch (random.nextInt(9)) {
      case 0 -> tokens.remove(at);
      case 1 -> tokens.add(at, tokens.get(at));
      case 2 -> {
        if (at + 1 < tokens.size()) {
          tokens.set(at, tokens.set(at + 1, tokens.get(at)));
        }
      }
      case 3 -> tokens.set(at, KEYWORDS[random.nextInt(KEYWORDS.length)]);
      case 4 -> tokens.subList(at, tokens.size()).clear();
      case 5 -> tokens.set(at, identifier());
      case 6 -> tokens.set(at, "NULL");
      case 7 -> {
        int from = tokens.indexOf("FROM");
        if (from >= 0 && from + 1 < tokens.size() && tokens.get(from + 1).matches("[a-z_]+")) {
          String table = tokens.get(from + 1);
          tokens.set(from + 1, "(SELECT * FROM " + table + ") AS " + table);
        }
      }
      default -> {
        return "SELECT * FROM (" + query + ") AS nested_" + random.nextInt(100);
      }
    }
    return String.join(" ", tokens);
  }

  /** A small query over one or two tables, with filters, grouping and subqueries by chance. */
  String generated() {
    int t = random.nextInt(TABLES.length);
    String[] cols = COLUMNS[t];
    StringBuilder sql = new StringBuilder("SELECT ");
    boolean group = random.nextBoolean();
    String key = cols[random.nextInt(cols.length)];
    sql.append(key);
    if (group) {
      sql.append(", count(*) AS n, ").append(random.nextBoolean() ? "sum(" : "max(")
          .append(cols[random.nextInt(cols.length)]).append(") AS agg");
    } else if (random.nextBoolean()) {
      sql.append(", NULL AS nothing");
    }
    sql.append(" FROM ").append(TABLES[t]).append(" AS a");
    if (random.nextInt(3) == 0) {
      int u = random.nextInt(TABLES.length);
      sql.append(random.nextBoolean() ? " LEFT JOIN " : " JOIN ").append(TABLES[u])
          .append(" AS b ON a.").append(key).append(" = b.")
          .append(COLUMNS[u][random.nextInt(COLUMNS[u].length)]);
    }
    switch (random.nextInt(4)) {
      case 0 -> sql.append(" WHERE a.").append(key).append(" IS NOT NULL");
      case 1 -> sql.append(" WHERE a.").append(key).append(" IN (SELECT ")
          .append(cols[0]).append(" FROM ").append(TABLES[t]).append(")");
      case 2 -> sql.append(" WHERE EXISTS (SELECT 1 FROM ").append(TABLES[random.nextInt(
          TABLES.length)]).append(" WHERE NULL)");
      default -> { }
    }
    if (group) {
      sql.append(" GROUP BY ").append(key);
    }
    return sql.toString();
  }

  private String identifier() {
    StringBuilder name = new StringBuilder("x");
    int length = 1 + random.nextInt(6);
    for (int i = 0; i < length; i++) {
      name.append((char) ('a' + random.nextInt(26)));
    }
    return name.toString();
  }

  private static List<String> tokens(String query) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(query);
    while (m.find()) {
      tokens.add(m.group());
    }
    return tokens;
  }

  /** The statements of a resource file: its {@code ;}-terminated lines, comments left out. */
  public static List<String> statements(String text) {
    List<String> statements = new ArrayList<>();
    for (String line : text.split("\n")) {
      String s = line.strip();
      if (!s.isEmpty() && !s.startsWith("--")) {
        statements.add(s.endsWith(";") ? s.substring(0, s.length() - 1) : s);
      }
    }
    return statements;
  }

  /** The defining queries of the golden files ({@code golden/*.sql}), from a directory or a jar. */
  static List<String> goldenQueries() {
    try {
      URI uri = FuzzQueries.class.getResource("/golden").toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
          return read(jar.getPath("/golden"));
        }
      }
      return read(Path.of(uri));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> read(Path directory) throws IOException {
    List<String> queries = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
        queries.add(Files.readString(file).strip());
      }
    }
    return queries;
  }

  /** A test resource of this module as text. */
  public static String resource(String name) {
    try (InputStream in = FuzzQueries.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

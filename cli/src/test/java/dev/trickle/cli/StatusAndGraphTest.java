package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code trickle status} and {@code trickle graph} on a chain of stream tables (orders → totals →
 * top customers) beside one that is SUSPENDED and one in ERROR.
 */
class StatusAndGraphTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @TempDir Path dir;

  @BeforeAll
  static void streamTables() throws Exception {
    Properties noScheduler = new Properties();
    noScheduler.setProperty("trickle.scheduler", "false");
    try (Connection c = db.connect(noScheduler);
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE orders (id int PRIMARY KEY, customer text, amount int)");
      s.execute("INSERT INTO orders VALUES (1, 'ada', 10), (2, 'bob', NULL), (3, 'ada', 5)");
      s.execute("CREATE STREAM TABLE totals WITH (schedule = '1m') AS"
          + " SELECT customer, sum(amount) AS revenue FROM orders GROUP BY customer");
      s.execute("CREATE STREAM TABLE top AS SELECT customer FROM totals WHERE revenue > 10");
      s.execute("INSERT INTO orders VALUES (4, 'cy', 1)");
      s.execute("REFRESH STREAM TABLE totals");
      s.execute("CREATE STREAM TABLE paused AS SELECT id FROM orders");
      s.execute("ALTER STREAM TABLE paused SET (status = 'SUSPENDED')");
      s.execute("CREATE TABLE doomed (id int)");
      s.execute("CREATE STREAM TABLE doomed_copy AS SELECT id FROM doomed");
      s.execute("DROP TABLE doomed");
      try {
        s.execute("REFRESH STREAM TABLE doomed_copy");
      } catch (java.sql.SQLException expected) {
        // the source is gone: the stream table is in ERROR
      }
    }
  }

  private static Outcome trickle(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--url", db.trickleUrl(),
            "--user", PostgresFixture.APP_ROLE,
            "--password", PostgresFixture.APP_PASSWORD));
    return Outcome.of(all.toArray(String[]::new));
  }

  @Test
  void statusOncePrintsEveryStreamTable() {
    Outcome outcome = trickle("status", "--once");
    assertThat(outcome.status()).as(outcome.err()).isZero();
    List<String> lines = outcome.out().lines().toList();
    assertThat(lines.get(0)).contains("stream tables of " + db.name() + " at ").doesNotContain("Ctrl-C");
    assertThat(lines.get(1).split("\\|"))
        .extracting(String::strip)
        .containsExactly("stream_table", "status", "mode", "schedule", "staleness", "last_refresh");
    assertThat(row(lines, "public.totals"))
        .containsExactly(
            "public.totals", "ACTIVE", "DIFFERENTIAL", "1m", row(lines, "public.totals").get(4),
            row(lines, "public.totals").get(5));
    assertThat(row(lines, "public.totals").get(4)).matches("\\d+\\.\\d s");
    assertThat(row(lines, "public.totals").get(5))
        .matches("DIFFERENTIAL COMPLETED at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d, \\d+ ms");
    assertThat(row(lines, "public.top").subList(1, 4))
        .containsExactly("ACTIVE", "DIFFERENTIAL", "calculated");
    assertThat(row(lines, "public.paused").get(1)).isEqualTo("SUSPENDED");
    assertThat(row(lines, "public.doomed_copy").get(1)).isEqualTo("ERROR");
    assertThat(row(lines, "public.doomed_copy").get(5)).startsWith("FULL FAILED at ");
    assertThat(lines).contains("(4 rows)");
  }

  @Test
  void statusShowsTheViewAgainUntilStopped() {
    Outcome outcome = trickle("status", "--count", "3", "--interval", "PT0.05S");
    assertThat(outcome.status()).isZero();
    assertThat(outcome.out().lines().filter(l -> l.contains("(Ctrl-C to stop)")).count())
        .isEqualTo(3);
    assertThat(outcome.out().lines().filter(l -> l.equals("(4 rows)")).count()).isEqualTo(3);
  }

  @Test
  void graphWritesDot() {
    Outcome outcome = trickle("graph");
    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(outcome.out())
        .startsWith("digraph trickle {\n  rankdir=LR;\n")
        .contains("\"public.orders\" -> \"public.totals\";\n")
        .contains("\"public.totals\" -> \"public.top\";\n")
        .contains("\"public.orders\" -> \"public.paused\";\n")
        .contains("\"public.top\" [label=\"public.top\\nACTIVE · DIFFERENTIAL\", fillcolor=\"#c8e6c0\"];")
        .contains("\"public.paused\" [label=\"public.paused\\nSUSPENDED · DIFFERENTIAL\", fillcolor=\"#ffd08a\"];")
        .contains("fillcolor=\"#f2a5a5\"")
        .contains("\"public.orders\" [label=\"public.orders\\ntable\", fillcolor=\"#e6e6e6\", style=\"filled\"];")
        .endsWith("}\n");
  }

  @Test
  void graphWritesASelfContainedSvgLaidOutInLayers() throws Exception {
    Path file = dir.resolve("dag.svg");
    Outcome outcome = trickle("graph", "--format", "svg", "-o", file.toString());
    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(outcome.err()).contains("wrote " + file);
    String svg = Files.readString(file);
    assertThat(svg).doesNotContain("<script", "href=\"http", "@import");
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    NodeList groups = doc.getElementsByTagName("g");
    assertThat(groups.getLength()).as("one box per relation").isEqualTo(6);
    assertThat(x(groups, "public.orders")).isLessThan(x(groups, "public.totals"));
    assertThat(x(groups, "public.totals")).isLessThan(x(groups, "public.top"));
    assertThat(fill(groups, "public.paused")).isEqualTo("#ffd08a");
    assertThat(fill(groups, "public.doomed_copy")).isEqualTo("#f2a5a5");
    assertThat(fill(groups, "public.top")).isEqualTo("#c8e6c0");
    assertThat(svg.split("marker-end=", -1)).as("one arrow per dependency").hasSize(5);
  }

  private static List<String> row(List<String> lines, String name) {
    String line =
        lines.stream().filter(l -> l.strip().startsWith(name + " ")).findFirst().orElseThrow();
    return List.of(line.split("\\|")).stream().map(String::strip).toList();
  }

  private static Element box(NodeList groups, String name) {
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (g.getElementsByTagName("text").item(0).getTextContent().equals(name)) {
        return (Element) g.getElementsByTagName("rect").item(0);
      }
    }
    throw new AssertionError("no box for " + name);
  }

  private static int x(NodeList groups, String name) {
    return Integer.parseInt(box(groups, name).getAttribute("x"));
  }

  private static String fill(NodeList groups, String name) {
    return box(groups, name).getAttribute("fill");
  }
}

package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files, one small pair per case: {@code golden/NAME.sql} holds a defining query,
 * {@code golden/NAME.plan} the plan the compiler makes of it (strategy, explanation) and the
 * delta SQL of a refresh in which every source changed. Regenerate with {@code
 * -Dgolden.update=true} after an intended change, and review the diff.
 */
class GoldenPlanTest {
  private static final Path DIRECTORY = Path.of("src", "test", "resources", "golden");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIRECTORY)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".sql"))
          .map(n -> n.substring(0, n.length() - 4))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void compilesAsRecorded(String name) throws Exception {
    String query = Files.readString(DIRECTORY.resolve(name + ".sql")).strip();
    String actual = render(query);
    Path expected = DIRECTORY.resolve(name + ".plan");
    if (Boolean.getBoolean("golden.update") || !Files.exists(expected)) {
      Files.writeString(expected, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(expected));
  }

  private static String render(String query) throws Exception {
    StringBuilder out = new StringBuilder();
    try {
      List<String> columns = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        columns.add("c" + i);
      }
      MaintenancePlan plan = compile(query, columns);
      out.append("-- strategy: ").append(plan.strategy()).append('\n');
      for (String line : plan.explain()) {
        out.append("-- ").append(line).append('\n');
      }
      Set<Long> all = new TreeSet<>(plan.sourceOids());
      out.append("-- refresh with changes in ").append(all).append('\n');
      append(out, plan.refresh(all), "");
    } catch (UnsupportedQueryException e) {
      out.append("-- unsupported: ").append(e.getMessage()).append('\n');
    }
    return out.toString();
  }

  /** Compiles with as many storage columns as the query has outputs. */
  private static MaintenancePlan compile(String query, List<String> candidates) throws Exception {
    DeltaCompiler compiler = new DeltaCompiler(new FakeCatalog(), s -> {});
    for (int n = 1; n <= candidates.size(); n++) {
      try {
        return compiler.compile(query, new StorageNames("public", "st", candidates.subList(0, n), "pgtrickle", "state", "1"));
      } catch (dev.trickle.rewriter.parse.QueryException e) {
        if (!"42P17".equals(e.sqlState())) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("no column count fits " + query);
  }

  private static void append(StringBuilder out, List<Step> steps, String indent) {
    for (Step step : steps) {
      if (step.isLoop()) {
        out.append(indent).append("LOOP\n");
        append(out, step.body(), indent + "  ");
        out.append(indent).append("WHILE ").append(step.sql()).append(";\n");
      } else {
        String statements = String.join(";\n" + indent, step.transactionScoped());
        out.append(indent).append(statements).append(step.counts() == Step.Counts.NONE ? "" : " -- " + step.counts())
            .append(";\n");
      }
    }
  }
}

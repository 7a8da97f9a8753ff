package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.CommandRecognizer;
import dev.trickle.rewriter.command.ParameterValues;
import dev.trickle.rewriter.command.RecognitionException;
import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.rewriter.scan.StatementScanner;
import dev.trickle.rewriter.scan.StatementSplitter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Feeds the scanner, the splitter, the command recognizers and the delta compiler thousands of
 * seeded generated and mutated queries ({@link FuzzQueries}) and asserts that only their declared
 * exceptions come out: {@link RecognitionException} from the recognizers, {@link QueryException}
 * and {@link UnsupportedQueryException} from the compiler. Reproduce a run with {@code
 * -Dtrickle.fuzz.seed=...}; {@code -Dtrickle.fuzz.queries=...} runs more.
 */
class CompilerFuzzTest {
  private static final long SEED = Long.getLong("trickle.fuzz.seed", 20261206L);
  private static final int QUERIES = Integer.getInteger("trickle.fuzz.queries", 2000);
  private static final Pattern OUTPUT_COUNT = Pattern.compile("has (\\d+) output columns");

  @Test
  void onlyDeclaredExceptionsComeOut() {
    FuzzQueries queries = new FuzzQueries(SEED);
    DeltaCompiler compiler = new DeltaCompiler(new SchemaCatalog(), s -> {});
    List<String> crashes = new ArrayList<>();
    int compiled = 0;
    for (int i = 0; i < QUERIES; i++) {
      String query = i < queries.corpus().size() ? queries.corpus().get(i) : queries.next();
      try {
        recognize(query);
        if (compile(compiler, query)) {
          compiled++;
        }
      } catch (RuntimeException | StackOverflowError | AssertionError e) {
        crashes.add(e + " at " + e.getStackTrace()[0] + " for: " + query);
      }
    }
    assertThat(crashes).as("seed " + SEED).isEmpty();
    assertThat(compiled).as("queries the compiler planned").isGreaterThan(QUERIES / 20);
  }

  /** Every way the query reaches a recognizer. */
  private static void recognize(String query) {
    for (String statement :
        List.of(
            query,
            "SELECT pgtrickle.create_stream_table('fz', $$" + query + "$$)",
            "SELECT pgtrickle.create_stream_table(name => 'fz', query => '"
                + query.replace("'", "''") + "', refresh_mode => 'DIFFERENTIAL')",
            "CREATE STREAM TABLE fz AS " + query,
            "CREATE OR REPLACE STREAM TABLE fz WITH (schedule = '1m') AS " + query,
            "ALTER STREAM TABLE fz SET (query = $$" + query + "$$)")) {
      StatementScanner.mayConcernTrickle(statement);
      for (String part : StatementSplitter.split(statement)) {
        try {
          CommandRecognizer.recognize(part, ParameterValues.NONE);
        } catch (RecognitionException expected) {
          // a refusal with its SQLState: what the recognizer declares
        }
      }
    }
  }

  /**
   * Compiles with as many storage columns as the query has outputs (the count a 42P17 refusal
   * names); true when it planned.
   */
  private static boolean compile(DeltaCompiler compiler, String query) {
    int columns = 1;
    for (int attempt = 0; attempt < 3; attempt++) {
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        names.add("c" + i);
      }
      try {
        compiler.compile(query, new StorageNames("public", "st", names, "pgtrickle", "s", "1"));
        return true;
      } catch (QueryException e) {
        Matcher count = OUTPUT_COUNT.matcher(String.valueOf(e.getMessage()));
        if (!"42P17".equals(e.sqlState()) || !count.find()) {
          return false;
        }
        columns = Integer.parseInt(count.group(1));
      } catch (UnsupportedQueryException e) {
        return false;
      }
    }
    return false;
  }

  /** The tables of {@code fuzz/tpch-schema.sql}, with the aggregates and volatile functions. */
  private static final class SchemaCatalog implements CatalogLookup {
    private static final Pattern TABLE = Pattern.compile("CREATE TABLE (\\w+) \\((.*)\\);");
    private static final Pattern KEY = Pattern.compile("PRIMARY KEY \\(([^)]*)\\)");
    /** The aggregates and volatile functions are the fake catalog's. */
    private final CatalogLookup functions = new FakeCatalog();
    private final Map<String, Relation> relations = new HashMap<>();

    SchemaCatalog() {
      long oid = 1000;
      for (String statement : FuzzQueries.statements(FuzzQueries.resource("fuzz/tpch-schema.sql"))) {
        Matcher table = TABLE.matcher(statement + ";");
        if (!table.matches()) {
          throw new IllegalStateException("unexpected schema statement: " + statement);
        }
        List<RelationColumn> columns = new ArrayList<>();
        List<String> key = new ArrayList<>();
        Matcher tableKey = KEY.matcher(table.group(2));
        if (tableKey.find()) {
          for (String k : tableKey.group(1).split(",")) {
            key.add(k.strip());
          }
        }
        for (String column : table.group(2).replaceAll("PRIMARY KEY \\([^)]*\\)", "").split(",(?![^(]*\\))")) {
          String[] words = column.strip().split("\\s+", 2);
          if (words.length < 2) {
            continue;
          }
          String type = words[1].replace(" PRIMARY KEY", "").replace(" NOT NULL", "");
          if (words[1].contains("PRIMARY KEY")) {
            key.add(words[0]);
          }
          columns.add(
              new RelationColumn(
                  words[0],
                  type,
                  words[1].contains("NOT NULL") || words[1].contains("PRIMARY KEY")));
        }
        String name = table.group(1);
        relations.put(
            name, new Relation(++oid, "public", name, Relation.Kind.TABLE, columns, key, null));
      }
    }

    @Override
    public Optional<Relation> resolve(String schema, String name) {
      return Optional.ofNullable(relations.get(name));
    }

    @Override
    public boolean isAggregate(String functionName) {
      return functions.isAggregate(functionName);
    }

    @Override
    public boolean isVolatile(String functionName) {
      return functions.isVolatile(functionName);
    }
  }
}

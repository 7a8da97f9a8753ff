package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.ivm.DeltaCompiler;
import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.ivm.StorageNames;
import dev.trickle.refresh.PageCosts;
import dev.trickle.refresh.SessionTempTables;
import dev.trickle.sql.Sql;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Runs compiled maintenance plans against real tables with a minimal stand-in for capture (a
 * statement trigger logging row images), so the compiler's SQL is tested in isolation from the
 * capture and frontier machinery. The catalog is installed for the server functions the programs
 * call (the recursion guard, say).
 */
final class CompilerHarness implements AutoCloseable {
  private static final PageCosts PAGE_COSTS = new PageCosts("4", "1");


  /** One batch of random changes to the sources, applied before each refresh of the oracle. */
  @FunctionalInterface
  interface Batch {
    void apply() throws Exception;
  }

  private final Connection c;
  private int counter;
  private final Set<Long> captured = new HashSet<>();
  /** One program per plan, as the engine caches compilations: its work tables are reused. */
  private final Map<MaintenancePlan, PlanProgram> programs = new IdentityHashMap<>();
  /** The tag of each plan's work tables: its storage table's name. */
  private final Map<MaintenancePlan, String> tags = new IdentityHashMap<>();
  /** What the harness remembers of work tables: nothing is recorded, each refresh creates them. */
  private final SessionTempTables.Memory workTables = new SessionTempTables.Memory();

  private CompilerHarness(Connection c) throws SQLException {
    this.c = c;
    CatalogInstaller.install(c);
  }

  /**
   * Connects to {@code db} as its plain owner, installs the catalog and runs {@code statements}
   * (the tests' source tables); {@link #close()} closes the connection.
   */
  static CompilerHarness open(TestDatabase db, String... statements) throws SQLException {
    CompilerHarness harness = new CompilerHarness(db.connectPlain());
    for (String statement : statements) {
      harness.exec(statement);
    }
    return harness;
  }

  /** A table name not used before by this harness: {@code prefix} and a running number. */
  String nextName(String prefix) {
    return prefix + (++counter);
  }

  /**
   * The oracle: creates {@code name} for {@code query}, then {@code cycles} times applies {@code
   * batch}, refreshes differentially and asserts that the table equals {@code oracle} (the query,
   * or the query without what a table cannot keep, such as a trailing ORDER BY) as a multiset.
   *
   * @param seed the seed of the batches' randomness, named in a failure so it can be replayed
   */
  void assertMaintained(
      String name, String query, String oracle, long seed, int cycles, Batch batch)
      throws Exception {
    MaintenancePlan plan = create(name, query);
    for (int cycle = 1; cycle <= cycles; cycle++) {
      batch.apply();
      refresh(plan);
      assertThat(difference(name, oracle))
          .as("seed %d, cycle %d, query %s, plan %s", seed, cycle, query, plan.explain())
          .isZero();
    }
  }

  /** One random statement changing the sources, drawn from a batch's randomness. */
  @FunctionalInterface
  interface Change {
    String next(Random random);
  }

  /**
   * The oracle of a family whose batches are random statements: runs {@code start} (the statements
   * that give the sources their starting rows), then {@link #assertMaintained} for {@code query} as
   * a new table named {@code prefix} and a number, with {@code cycles} batches of {@code least} to
   * {@code least + spread - 1} statements from {@code change}, drawn with {@code seed}.
   */
  void assertMaintainedUnderRandomChanges(
      String prefix, String query, long seed, int cycles, int least, int spread, Change change,
      String... start)
      throws Exception {
    for (String statement : start) {
      exec(statement);
    }
    Random r = new Random(seed);
    assertMaintained(nextName(prefix), query, query, seed, cycles, () -> {
      for (int i = 0; i < least + r.nextInt(spread); i++) {
        exec(change.next(r));
      }
    });
  }

  /** Creates storage for {@code query} as table {@code name}, compiles and populates it. */
  MaintenancePlan create(String name, String query) throws Exception {
    for (long oid : captured) {
      exec("DELETE FROM chg_" + oid);
    }
    exec("CREATE TABLE " + name + " AS " + query + " WITH NO DATA");
    List<String> columns = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT attname FROM pg_attribute WHERE attrelid = '" + name
                    + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    MaintenancePlan plan = compile(query, name, columns, name);
    tags.put(plan, name);
    programs.put(
        plan,
        new PlanProgram(
            plan,
            new LoopLimit(Sql.display("public", name)),
            variant -> {
              try {
                return compile(query, name, columns, name + "_v" + variant);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            false));
    run(plan.setup());
    exec("INSERT INTO " + name + " " + query);
    run(plan.populate());
    for (long oid : plan.sourceOids()) {
      capture(oid);
      exec("DELETE FROM chg_" + oid);
    }
    return plan;
  }

  private MaintenancePlan compile(String query, String name, List<String> columns, String tag)
      throws Exception {
    return new DeltaCompiler(new JdbcCatalogLookup(c), s -> {})
        .compile(query, new StorageNames("public", name, columns, "public", name + "_state", tag));
  }

  private void capture(long oid) throws SQLException {
    if (!captured.add(oid)) {
      return;
    }
    String table = scalar("SELECT " + oid + "::oid::regclass::text");
    String log = "chg_" + oid;
    exec("CREATE TABLE " + log + " AS SELECT 'I'::text AS op, * FROM " + table + " WITH NO DATA");
    exec("CREATE FUNCTION " + log + "_f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN"
        + " IF TG_OP IN ('DELETE','UPDATE') THEN INSERT INTO " + log + " SELECT 'D', * FROM old_rows; END IF;"
        + " IF TG_OP IN ('INSERT','UPDATE') THEN INSERT INTO " + log + " SELECT 'I', * FROM new_rows; END IF;"
        + " RETURN NULL; END$$");
    exec("CREATE TRIGGER " + log + "_i AFTER INSERT ON " + table
        + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + log + "_f()");
    exec("CREATE TRIGGER " + log + "_u AFTER UPDATE ON " + table
        + " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + log + "_f()");
    exec("CREATE TRIGGER " + log + "_d AFTER DELETE ON " + table
        + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION " + log + "_f()");
  }

  /**
   * Runs one differential refresh of {@code plan} and returns the output delta it applied (the
   * consolidated rows with their weights, as {@code value|value|...|weight} strings), then rolls
   * back, so the same change can be examined again.
   */
  List<String> peekDelta(MaintenancePlan plan, String tag) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      run(plan.refresh(prepareDeltas(plan)));
      List<String> rows = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT * FROM pg_temp.\"__pgt_out_" + tag + "\" ORDER BY 1, 2")) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder row = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            row.append(i > 1 ? "|" : "").append(rs.getString(i));
          }
          rows.add(row.toString());
        }
      }
      return rows;
    } finally {
      c.rollback();
      c.setAutoCommit(auto);
    }
  }

  private Set<Long> prepareDeltas(MaintenancePlan plan) throws SQLException {
    Set<Long> changed = new HashSet<>();
    for (long oid : plan.sourceOids()) {
      String log = "chg_" + oid;
      exec("DROP TABLE IF EXISTS pg_temp.\"__pgt_delta_" + oid + "\"");
      String columns = scalar("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
          + " WHERE attrelid = " + oid + " AND attnum > 0 AND NOT attisdropped");
      exec("CREATE TEMP TABLE \"__pgt_delta_" + oid + "\" ON COMMIT DROP AS SELECT " + columns
          + ", CASE op WHEN 'I' THEN 1 ELSE -1 END AS \"__pgt_w\" FROM " + log);
      if (!"0".equals(scalar("SELECT count(*) FROM " + log))) {
        changed.add(oid);
      }
    }
    return changed;
  }

  /**
   * One differential refresh of {@code plan} in one transaction, run as the engine runs it:
   * batched, with the session's reusable work tables, and PostgreSQL's default page costs, which the
   * program lowers for its statements and restores after them.
   */
  void refresh(MaintenancePlan plan) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      SessionTempTables temps =
          SessionTempTables.load(c, tags.get(plan), plan.sourceOids(), workTables);
      temps.upkeep().run(c);
      programs.get(plan).run(batch -> batch.run(c), prepareDeltas(plan), temps, PAGE_COSTS);
      for (long oid : plan.sourceOids()) {
        exec("DELETE FROM chg_" + oid);
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Rows in {@code name} not in {@code query} plus rows in {@code query} not in {@code name}. */
  long difference(String name, String query) throws SQLException {
    return Long.parseLong(
        scalar("SELECT (SELECT count(*) FROM ((TABLE " + name + ") EXCEPT ALL (" + query + ")) a)"
            + " + (SELECT count(*) FROM ((" + query + ") EXCEPT ALL (TABLE " + name + ")) b)"));
  }

  /**
   * Like {@link #difference}, but rows are the same only when they print the same: {@code numeric}
   * {@code 1.0} and {@code 1.00} are equal under {@code =} and {@code EXCEPT ALL}, yet a stream table
   * holding one where its query gives the other has drifted.
   */
  long textDifference(String name, String query) throws SQLException {
    String table = "(SELECT s::text FROM " + name + " AS s)";
    String result = "(SELECT q::text FROM (" + query + ") AS q)";
    return Long.parseLong(
        scalar("SELECT (SELECT count(*) FROM (" + table + " EXCEPT ALL " + result + ") a)"
            + " + (SELECT count(*) FROM (" + result + " EXCEPT ALL " + table + ") b)"));
  }

  void run(List<Step> steps) throws SQLException {
    for (String statement : StepPrinter.withoutLoops(steps)) {
      try {
        exec(statement);
      } catch (SQLException e) {
        throw new SQLException(e.getMessage() + "\n  in: " + statement, e.getSQLState(), e);
      }
    }
  }


  void exec(String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  String scalar(String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}

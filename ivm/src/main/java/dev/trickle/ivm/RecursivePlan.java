package dev.trickle.ivm;

import dev.trickle.rewriter.parse.Relation;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Maintenance of {@code WITH RECURSIVE r AS (base UNION ALL step) outer}, where {@code step} joins
 * one source S to {@code r}. The recursive relation R is kept in a state table; the outer query is
 * maintained over R's delta by the plan of its own block.
 *
 * <p>Rules (DRed for multisets, then semi-naive evaluation), with K = S₁ − ΔS⁺ the source facts
 * that stay (in S₀ and in S₁):
 *
 * <ol>
 *   <li>over-delete: D₀ = base⁻ + step(ΔS⁻, R_old); D_{i+1} = step(K, D_i), computed as
 *       step(S₁, D_i) − step(ΔS⁺, D_i); until empty. A derivation that used removed facts is in
 *       exactly one D_i, the one of its last removed fact: its prefix is any derivation of R_old,
 *       and every later fact stays. (Extending over S₀ instead would count a derivation through two
 *       removed facts twice.) UNION ALL counts derivations, so nothing needs re-deriving;
 *   <li>insert: N₀ = base⁺ + step(ΔS⁺, R_mid) with R_mid = R_old − ΣD, computed as step(ΔS⁺,
 *       R_old) − step(ΔS⁺, ΣD) so R is written once; N_{i+1} = step(S₁, N_i); until empty;
 *   <li>ΔR = ΣN − ΣD: R_new = R_old + ΔR, and ΔR feeds the outer plan.
 * </ol>
 *
 * With a table with a primary key as the step's source, each closure is one {@code WITH RECURSIVE}
 * statement; otherwise a fixpoint loop. When the outer query returns R as it is, the storage table
 * is R and no state table is kept.
 *
 * An update is a delete and an insert, so renaming a node rewrites every descendant's derived
 * columns and moving a subtree re-derives it under the new parent. Cost: the derivations that
 * depend on changed facts (the affected subgraph), each found through the step's join.
 */
final class RecursivePlan implements MaintenancePlan {
  /** The pseudo-oid naming R's delta table: the outer plan reads R like a captured source. */
  static final long RECURSIVE_RELATION = -1;

  private final String materialize;
  private final Relation recursive;
  private final QueryBlock base;
  private final QueryBlock step;
  private final Input stepSource;
  private final Input stepRecursive;
  private final MaintenancePlan outer;
  private final StorageNames names;
  private final StorageNames stateNames;
  private final boolean distinct;
  private final List<String> neverNull;
  private final boolean storageIsState;

  /**
   * @param materialize the query computing R ({@code WITH RECURSIVE ... SELECT * FROM r})
   * @param recursive R as a relation (the state table, or with {@code storageIsState} the storage
   *     table; pseudo-oid {@link #RECURSIVE_RELATION})
   * @param neverNull R's columns that are never NULL: state rows are matched on them with {@code
   *     =} through an index
   * @param storageIsState the outer query returns R as it is (every column, in order, under its own
   *     name) and the recursion is UNION ALL: the storage table holds R, so no state table keeps a
   *     second copy, and the outer plan's write of ΔR to the storage is R's maintenance
   */
  RecursivePlan(
      String materialize,
      Relation recursive,
      QueryBlock base,
      QueryBlock step,
      MaintenancePlan outer,
      StorageNames names,
      boolean distinct,
      List<String> neverNull,
      boolean storageIsState) {
    if (storageIsState && distinct) {
      throw new IllegalArgumentException("the storage holds R only for UNION ALL recursion");
    }
    this.storageIsState = storageIsState;
    this.distinct = distinct;
    this.neverNull = List.copyOf(neverNull);
    this.materialize = materialize;
    this.recursive = recursive;
    this.base = base;
    this.step = step;
    this.stepSource = step.inputs().stream().filter(i -> i.relation() != recursive).findFirst().orElseThrow();
    this.stepRecursive = step.inputs().stream().filter(i -> i.relation() == recursive).findFirst().orElseThrow();
    this.outer = outer;
    this.names = names;
    List<String> columns = recursive.columns().stream().map(c -> c.name()).toList();
    this.stateNames =
        new StorageNames(
            recursive.schema(), recursive.name(), columns, recursive.schema(), recursive.name(), names.tag() + "_r");
  }

  @Override
  public String strategy() {
    return "DIFFERENTIAL: recursive CTE by delete-and-rederive and semi-naive evaluation; outer: "
        + outer.strategy();
  }

  @Override
  public Set<Long> sourceOids() {
    Set<Long> oids = new LinkedHashSet<>();
    base.inputs().stream().filter(i -> !i.isFunction()).forEach(i -> oids.add(i.relation().oid()));
    oids.add(stepSource.relation().oid());
    for (long oid : outer.sourceOids()) {
      if (oid != RECURSIVE_RELATION) {
        oids.add(oid);
      }
    }
    return oids;
  }

  @Override
  public List<Step> setup() {
    if (storageIsState) {
      return outer.setup();
    }
    List<Step> steps = new ArrayList<>();
    steps.add(Step.of("CREATE TABLE " + stateNames.storage() + " AS " + materialize + " WITH NO DATA"));
    List<String> indexed =
        neverNull.isEmpty() ? stateNames.columns().subList(0, 1) : neverNull.subList(0, Math.min(2, neverNull.size()));
    steps.add(Step.of("CREATE INDEX ON " + stateNames.storage() + " (" + Sql.identifiers(indexed) + ")"));
    steps.addAll(outer.setup());
    return steps;
  }

  @Override
  public List<Step> populate() {
    if (storageIsState) {
      return outer.populate();
    }
    List<Step> steps = new ArrayList<>();
    steps.add(Step.of("DELETE FROM " + stateNames.storage()));
    steps.add(Step.of("INSERT INTO " + stateNames.storage() + " " + materialize));
    steps.add(Step.of("ANALYZE " + stateNames.storage()));
    steps.addAll(outer.populate());
    return steps;
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    Set<Long> recursiveChanged = new LinkedHashSet<>();
    base.inputs().forEach(i -> {
      if (changedSources.contains(i.relation().oid())) {
        recursiveChanged.add(i.relation().oid());
      }
    });
    boolean sourceChanged = changedSources.contains(stepSource.relation().oid());
    List<Step> steps = new ArrayList<>();
    Set<Long> outerChanged = new LinkedHashSet<>(changedSources);
    outerChanged.retainAll(outer.sourceOids());
    if (!recursiveChanged.isEmpty() || sourceChanged) {
      steps.addAll(distinct
          ? maintainRecursiveSet(recursiveChanged, sourceChanged)
          : maintainRecursive(recursiveChanged, sourceChanged));
      outerChanged.add(RECURSIVE_RELATION);
    }
    if (outerChanged.isEmpty()) {
      return steps;
    }
    steps.addAll(outer.refresh(outerChanged));
    return steps;
  }

  private List<Step> maintainRecursive(Set<Long> baseChanged, boolean sourceChanged) {
    String columns = Sql.identifiers(stateNames.columns());
    String sourceDelta = names.temp("sdelta");
    String baseDelta = names.temp("bdelta");
    String deleted = names.temp("deleted");
    String inserted = names.temp("inserted");
    String frontier = names.temp("frontier");
    String next = names.temp("next");
    String grow = names.temp("grow");
    String recursiveDelta = DeltaNames.deltaTable(RECURSIVE_RELATION);
    List<Step> steps = prologue(baseChanged, sourceChanged);
    String stepSelect = outputs(step);
    DeltaTerms stepTerms = new DeltaTerms(step);
    // Over-delete.
    List<String> firstDeleted = new ArrayList<>();
    firstDeleted.add("SELECT " + columns + ", -" + DeltaNames.WEIGHT + " AS " + DeltaNames.WEIGHT + " FROM " + baseDelta + " WHERE " + DeltaNames.WEIGHT + " < 0");
    if (sourceChanged) {
      firstDeleted.add(stepTerms.render(stepSelect,
          i -> i == stepSource ? "(SELECT * FROM " + sourceDelta + " WHERE " + DeltaNames.WEIGHT + " < 0) AS " + Sql.identifier(i.alias()) : i.current(),
          null, stepWhere(), "-" + weightOf(stepSource)));
    }
    String deletedSeed = consolidate(String.join(" UNION ALL ", firstDeleted), "> 0");
    if (closureInOneStatement()) {
      steps.add(Step.fill(deleted, consolidate(closure(deletedSeed, true), "> 0")));
    } else {
      steps.add(Step.fill(deleted, deletedSeed));
      steps.add(Step.fill(frontier, "SELECT * FROM " + deleted));
      String oldStep =
          stepTerms.render(stepSelect, i -> i == stepRecursive ? frontier + " AS " + Sql.identifier(i.alias()) : i.current(), null, stepWhere(), weightOf(stepRecursive))
              + " UNION ALL "
              + stepTerms.render(stepSelect,
                  i -> i == stepRecursive
                      ? frontier + " AS " + Sql.identifier(i.alias())
                      : "(SELECT * FROM " + sourceDelta + " WHERE " + DeltaNames.WEIGHT + " > 0) AS " + Sql.identifier(i.alias()),
                  null, stepWhere(), "-" + weightOf(stepRecursive) + " * " + weightOf(stepSource));
      steps.add(Step.loop(advance(frontier, next, deleted, consolidate(oldStep, "> 0")), "SELECT EXISTS (SELECT 1 FROM " + frontier + ")"));
    }
    // Semi-naive insertion, seeded from R_mid = R_old − ΣD without writing R_mid first:
    // step(ΔS⁺, R_mid) = step(ΔS⁺, R_old) − step(ΔS⁺, ΣD).
    List<String> firstInserted = new ArrayList<>();
    firstInserted.add("SELECT " + columns + ", " + DeltaNames.WEIGHT + " FROM " + baseDelta + " WHERE " + DeltaNames.WEIGHT + " > 0");
    if (sourceChanged) {
      String added = "(SELECT * FROM " + sourceDelta + " WHERE " + DeltaNames.WEIGHT + " > 0) AS ";
      firstInserted.add(stepTerms.render(stepSelect,
          i -> i == stepSource ? added + Sql.identifier(i.alias()) : i.current(),
          null, stepWhere(), weightOf(stepSource)));
      firstInserted.add(stepTerms.render(stepSelect,
          i -> i == stepSource ? added + Sql.identifier(i.alias()) : deleted + " AS " + Sql.identifier(i.alias()),
          null, stepWhere(), "-" + weightOf(stepSource) + " * " + weightOf(stepRecursive)));
    }
    String insertedSeed = consolidate(String.join(" UNION ALL ", firstInserted), "> 0");
    if (closureInOneStatement()) {
      steps.add(Step.fill(inserted, consolidate(closure(insertedSeed, false), "> 0")));
    } else {
      steps.add(Step.fill(inserted, insertedSeed));
      steps.add(Step.of("DELETE FROM " + frontier));
      steps.add(Step.of("INSERT INTO " + frontier + " SELECT * FROM " + inserted));
      String newStep = stepTerms.render(stepSelect, i -> i == stepRecursive ? frontier + " AS " + Sql.identifier(i.alias()) : i.current(), null, stepWhere(), weightOf(stepRecursive));
      steps.add(Step.loop(advance(frontier, grow, inserted, consolidate(newStep, "> 0")), "SELECT EXISTS (SELECT 1 FROM " + frontier + ")"));
    }
    steps.add(Step.fill(recursiveDelta, "SELECT "
        + columns + ", -" + DeltaNames.WEIGHT + " AS " + DeltaNames.WEIGHT + " FROM " + deleted + " UNION ALL SELECT " + columns + ", "
        + DeltaNames.WEIGHT + " FROM " + inserted));
    if (!storageIsState) {
      steps.addAll(RowApplier.forState(stateNames, neverNull).apply("SELECT * FROM " + recursiveDelta));
    }
    return steps;
  }

  /**
   * UNION (set) recursion, which terminates on cyclic data: DRed with re-derivation. Over-delete
   * every row with some derivation through a removed fact (D, within R_old); R_mid = R_old − D;
   * then seed with the rows of D still derivable in one step from R_mid, and the rows the new facts
   * derive, and iterate the step from them, keeping only rows not yet present.
   */
  private List<Step> maintainRecursiveSet(Set<Long> baseChanged, boolean sourceChanged) {
    String columns = Sql.identifiers(stateNames.columns());
    String sourceDelta = names.temp("sdelta");
    String baseDelta = names.temp("bdelta");
    String deleted = names.temp("deleted");
    String inserted = names.temp("inserted");
    String frontier = names.temp("frontier");
    String next = names.temp("next");
    String grow = names.temp("grow");
    String recursiveDelta = DeltaNames.deltaTable(RECURSIVE_RELATION);
    List<Step> steps = prologue(baseChanged, sourceChanged);
    String stepSelect = outputs(step);
    DeltaTerms stepTerms = new DeltaTerms(step);
    String inR = inRelation(stateNames.storage());
    // Over-delete within R_old.
    List<String> firstDeleted = new ArrayList<>();
    firstDeleted.add("SELECT " + columns + ", 1 AS " + DeltaNames.WEIGHT + " FROM " + baseDelta + " WHERE " + DeltaNames.WEIGHT + " < 0");
    if (sourceChanged) {
      firstDeleted.add(stepTerms.render(stepSelect,
          i -> i == stepSource ? "(SELECT * FROM " + sourceDelta + " WHERE " + DeltaNames.WEIGHT + " < 0) AS " + Sql.identifier(i.alias()) : i.current(),
          null, stepWhere(), "1"));
    }
    steps.add(Step.fill(deleted, "SELECT DISTINCT "
        + columns + ", 1::bigint AS " + DeltaNames.WEIGHT + " FROM (" + String.join(" UNION ALL ", firstDeleted) + ") AS x WHERE " + inR.replace("$", "x")));
    steps.add(Step.fill(frontier, "SELECT * FROM " + deleted));
    String oldStep =
        stepTerms.render(stepSelect, i -> i == stepRecursive ? frontier + " AS " + Sql.identifier(i.alias()) : i.current(), null, stepWhere(), "1")
            + " UNION ALL "
            + stepTerms.render(stepSelect,
                i -> i == stepRecursive ? frontier + " AS " + Sql.identifier(i.alias()) : sourceDelta + " AS " + Sql.identifier(i.alias()),
                null, stepWhere(), "-" + weightOf(stepSource));
    steps.add(Step.loop(List.of(
        Step.fill(next, "SELECT " + columns + ", 1::bigint AS "
            + DeltaNames.WEIGHT + " FROM (" + consolidate(oldStep, "> 0") + ") AS x WHERE " + inR.replace("$", "x") + " AND NOT "
            + inRelation(deleted).replace("$", "x")),
        Step.of("INSERT INTO " + deleted + " SELECT * FROM " + next),
        Step.of("DELETE FROM " + frontier),
        Step.of("INSERT INTO " + frontier + " SELECT * FROM " + next)), "SELECT EXISTS (SELECT 1 FROM " + frontier + ")"));
    RowApplier state = RowApplier.forState(stateNames, neverNull);
    steps.addAll(state.apply("gone", "SELECT " + columns + ", -1 AS " + DeltaNames.WEIGHT + " FROM " + deleted));
    // Re-derive and insert.
    List<String> seeds = new ArrayList<>();
    seeds.add("SELECT " + columns + ", 1 AS " + DeltaNames.WEIGHT + " FROM " + baseDelta + " WHERE " + DeltaNames.WEIGHT + " > 0");
    seeds.add("SELECT * FROM (" + new DeltaTerms(base).render(outputs(base), Input::current, null,
        base.where() == null ? List.of() : List.of("(" + base.where() + ")"), "1") + ") AS x0 WHERE "
        + inRelation(deleted).replace("$", "x0"));
    seeds.add("SELECT * FROM (" + stepTerms.render(stepSelect, Input::current, null, stepWhere(), "1") + ") AS x1 WHERE "
        + inRelation(deleted).replace("$", "x1"));
    if (sourceChanged) {
      seeds.add(stepTerms.render(stepSelect,
          i -> i == stepSource ? "(SELECT * FROM " + sourceDelta + " WHERE " + DeltaNames.WEIGHT + " > 0) AS " + Sql.identifier(i.alias()) : i.current(),
          null, stepWhere(), "1"));
    }
    steps.add(Step.fill(inserted, "SELECT DISTINCT " + columns
        + ", 1::bigint AS " + DeltaNames.WEIGHT + " FROM (" + String.join(" UNION ALL ", seeds) + ") AS x WHERE NOT " + inR.replace("$", "x")));
    steps.add(Step.of("DELETE FROM " + frontier));
    steps.add(Step.of("INSERT INTO " + frontier + " SELECT * FROM " + inserted));
    String newStep = stepTerms.render(stepSelect, i -> i == stepRecursive ? frontier + " AS " + Sql.identifier(i.alias()) : i.current(), null, stepWhere(), "1");
    steps.add(Step.loop(List.of(
        Step.fill(grow, "SELECT DISTINCT " + columns + ", 1::bigint AS "
            + DeltaNames.WEIGHT + " FROM (" + newStep + ") AS x WHERE NOT " + inR.replace("$", "x") + " AND NOT " + inRelation(inserted).replace("$", "x")),
        Step.of("INSERT INTO " + inserted + " SELECT * FROM " + grow),
        Step.of("DELETE FROM " + frontier),
        Step.of("INSERT INTO " + frontier + " SELECT * FROM " + grow)), "SELECT EXISTS (SELECT 1 FROM " + frontier + ")"));
    steps.addAll(state.apply("SELECT " + columns + ", 1 AS " + DeltaNames.WEIGHT + " FROM " + inserted));
    steps.add(Step.fill(recursiveDelta, "SELECT "
        + columns + ", -1 AS " + DeltaNames.WEIGHT + " FROM " + deleted + " UNION ALL SELECT " + columns + ", 1 FROM " + inserted));
    return steps;
  }

  /**
   * Whether the UNION ALL rules compute each closure (ΣD from D₀, ΣN from N₀) with one {@code WITH
   * RECURSIVE} statement instead of a loop of statements per level: when the step's source is a
   * table with a primary key, so the facts that stay are exactly the current rows whose key gained
   * no row. The statement's recursion runs inside the executor, level after level, with the step's
   * join probing the source's index; a loop pays for several statements per level.
   */
  private boolean closureInOneStatement() {
    Relation source = stepSource.relation();
    return source.kind() == Relation.Kind.TABLE
        && !source.primaryKey().isEmpty()
        && !stepSource.isFunction()
        && stepSource.derived() == null;
  }

  /**
   * Every derivation reachable from {@code seed} (R's columns and {@code __pgt_w}) through the step
   * over the source as it is, or with {@code overKeptFacts} over the facts that stay (the table's
   * rows whose key gained no row, {@link #kept}), the seed included, each with its seed's weight:
   * {@code WITH RECURSIVE} with an iteration counter; a chain reaching {@link Step#MAX_ITERATIONS}
   * fails (54000) rather than running on.
   */
  private String closure(String seed, boolean overKeptFacts) {
    String columns = Sql.identifiers(stateNames.columns());
    String closure = Sql.identifier("__pgt_closure");
    String iteration = Sql.identifier("__pgt_i");
    String previous = Sql.identifier(stepRecursive.alias());
    List<String> conditions = new ArrayList<>(stepWhere());
    conditions.add("CASE WHEN " + previous + "." + iteration + " < " + Step.MAX_ITERATIONS
        + " THEN true ELSE pgtrickle.recursion_limit_exceeded(" + Step.MAX_ITERATIONS + ") END");
    if (overKeptFacts) {
      conditions.add(kept());
    }
    String recursiveTerm = new DeltaTerms(step).render(
        outputs(step) + ", " + previous + "." + iteration + " + 1",
        i -> i == stepRecursive ? closure + " AS " + previous : i.current(),
        null, conditions, previous + "." + DeltaNames.WEIGHT);
    return "WITH RECURSIVE " + closure + " (" + columns + ", " + iteration + ", " + DeltaNames.WEIGHT + ") AS ("
        + "SELECT " + columns + ", 1, " + DeltaNames.WEIGHT + " FROM (" + seed + ") AS " + Sql.identifier("__pgt_seed")
        + " UNION ALL " + recursiveTerm + ") SELECT " + columns + ", " + DeltaNames.WEIGHT + " FROM " + closure;
  }

  /**
   * True for a row of the step's source (a table with a primary key) that stays: in the table
   * before and after the changes, so no row of its key was added (S₁ − ΔS⁺).
   */
  private String kept() {
    String alias = Sql.identifier(stepSource.alias());
    String sourceDelta = names.temp("sdelta");
    return "(NOT EXISTS (SELECT 1 FROM " + sourceDelta + " AS " + Sql.identifier("__pgt_new")
        + " WHERE " + Sql.identifier("__pgt_new") + "." + DeltaNames.WEIGHT + " > 0 AND "
        + stepSource.relation().primaryKey().stream()
            .map(k -> Sql.identifier("__pgt_new") + "." + Sql.identifier(k) + " = " + alias + "." + Sql.identifier(k))
            .reduce((a, b) -> a + " AND " + b).orElseThrow()
        + "))";
  }

  /** {@code EXISTS} a row of {@code table} equal (NULL-safe) to row alias {@code $}. */
  private String inRelation(String table) {
    return "EXISTS (SELECT 1 FROM " + table + " AS m WHERE "
        + KeyMatch.of(KeyMatch.columns("m", stateNames.columns()), KeyMatch.columns("$", stateNames.columns()),
            stateNames.columns().stream().map(c -> !neverNull.contains(c)).toList()) + ")";
  }

  /**
   * What both recursive rules start with: fresh temporary tables, the step source's consolidated
   * delta (empty when it did not change) and the base query's consolidated delta.
   */
  private List<Step> prologue(Set<Long> baseChanged, boolean sourceChanged) {
    String sourceDelta = names.temp("sdelta");
    String baseDelta = names.temp("bdelta");
    List<Step> steps = new ArrayList<>();
    String empty = "SELECT r.*, 0::bigint AS " + DeltaNames.WEIGHT + " FROM " + stateNames.storage() + " AS r LIMIT 0";
    String sourceColumns = Sql.identifiers(stepSource.relation().columns().stream().map(c -> c.name()).toList());
    steps.add(Step.fill(sourceDelta,
        sourceChanged
            ? "SELECT " + sourceColumns + ", sum(" + DeltaNames.WEIGHT + ")::bigint AS " + DeltaNames.WEIGHT + " FROM "
                + DeltaNames.deltaTable(stepSource.relation().oid()) + " GROUP BY " + sourceColumns + " HAVING sum("
                + DeltaNames.WEIGHT + ") <> 0"
            : "SELECT " + Sql.identifier(stepSource.alias()) + ".*, 0::bigint AS " + DeltaNames.WEIGHT + " FROM "
                + stepSource.current() + " LIMIT 0"));
    List<String> baseTerms = baseChanged.isEmpty() ? List.of() : new DeltaTerms(base).terms(outputs(base), baseChanged);
    steps.add(Step.fill(baseDelta,
        baseTerms.isEmpty() ? empty : consolidate(String.join(" UNION ALL ", baseTerms), "<> 0")));
    return steps;
  }

  /**
   * One fixpoint iteration: next := f(frontier); accumulate it; frontier := next. The frontier is
   * emptied with DELETE, not TRUNCATE: a session work table keeps its file and its statistics, so
   * the planner keeps seeing a small frontier (and probes the step's index) instead of assuming ten
   * pages after every truncation.
   */
  private static List<Step> advance(String frontier, String next, String accumulator, String nextQuery) {
    return List.of(
        Step.fill(next, nextQuery),
        Step.of("INSERT INTO " + accumulator + " SELECT * FROM " + next),
        Step.of("DELETE FROM " + frontier),
        Step.of("INSERT INTO " + frontier + " SELECT * FROM " + next));
  }

  private String consolidate(String signedRows, String keep) {
    String columns = Sql.identifiers(stateNames.columns());
    return "SELECT " + columns + ", sum(" + DeltaNames.WEIGHT + ")::bigint AS " + DeltaNames.WEIGHT + " FROM (" + signedRows
        + ") AS x GROUP BY " + columns + " HAVING sum(" + DeltaNames.WEIGHT + ") " + keep;
  }

  private String outputs(QueryBlock block) {
    List<String> select = new ArrayList<>();
    for (int i = 0; i < block.outputs().size(); i++) {
      select.add(block.outputs().get(i) + " AS " + Sql.identifier(stateNames.columns().get(i)));
    }
    return String.join(", ", select);
  }

  private List<String> stepWhere() {
    return step.where() == null ? List.of() : List.of("(" + step.where() + ")");
  }

  private static String weightOf(Input input) {
    return Sql.identifier(input.alias()) + "." + DeltaNames.WEIGHT;
  }

  @Override
  public List<Step> teardown() {
    List<Step> steps = new ArrayList<>(outer.teardown());
    if (!storageIsState) {
      steps.add(Step.of("DROP TABLE IF EXISTS " + stateNames.storage()));
    }
    return steps;
  }

  @Override
  public List<String> explain() {
    List<String> lines = new ArrayList<>();
    lines.add(strategy());
    lines.add((storageIsState ? "recursive relation is the storage table " : "recursive relation kept in ")
        + stateNames.storage() + "; step joins " + stepSource.relation().displayName());
    lines.add("rule: over-delete D_{i+1} = step(S₁ − ΔS⁺, D_i); insert N_{i+1} = step(S₁, N_i)");
    lines.addAll(outer.explain());
    return lines;
  }
}

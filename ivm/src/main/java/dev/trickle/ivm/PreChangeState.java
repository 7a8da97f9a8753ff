package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The FROM item reading an input as it was before the refresh's changes: its current rows with
 * weight +1 and its consumed changes with their weights negated, {@code R₀ = R₁ − ΔR} as a bag.
 * The telescoped join delta ({@link DeltaTerms}) joins a changed input's delta with the pre-change
 * state of the changed inputs after it. It is one {@code UNION ALL} of two simple branches, which
 * PostgreSQL flattens into an append relation, so a join condition still reaches the index of the
 * relation (a parameterized index scan per delta row) instead of scanning it whole.
 *
 * <p>Only the columns a term names are listed (a base relation's other columns may be dropped or
 * added while the compiled plan is kept): every identifier of the term's text that is a column of
 * the relation, which may take a few more than needed and never fewer.
 */
final class PreChangeState {
  private static final Pattern IDENTIFIER =
      Pattern.compile("\"((?:[^\"]|\"\")*)\"|([A-Za-z_][A-Za-z_0-9$]*)");

  /** The branches' own aliases, never a user's alias (the {@code __pgt_} prefix is reserved). */
  private static final String NOW = Sql.identifier("__pgt_now");

  private static final String CHANGED = Sql.identifier("__pgt_changes");

  private final Set<String> named;

  /** @param termText the SQL of the term the state is read in (select list, joins, conditions) */
  PreChangeState(String termText) {
    this.named = identifiers(termText);
  }

  /** The FROM item {@code (... UNION ALL ...) AS "alias"}, with the weight column. */
  String of(Input input) {
    String alias = Sql.identifier(input.alias());
    List<String> columns = columns(input);
    String now = DeltaNames.columnList(NOW, columns);
    String changed = DeltaNames.columnList(CHANGED, columns);
    String source = input.derived() != null
        ? "(" + input.derived().currentSql() + ")"
        : Sql.qualified(input.relation().schema(), input.relation().name());
    String deltaTable =
        input.derived() != null ? input.derived().deltaTable() : DeltaNames.deltaTable(input.relation().oid());
    return "(SELECT " + now + (columns.isEmpty() ? "" : ", ") + "1 AS " + DeltaNames.WEIGHT + " FROM "
        + source + " AS " + NOW + " UNION ALL SELECT " + changed + (columns.isEmpty() ? "" : ", ") + "-"
        + CHANGED + "." + DeltaNames.WEIGHT + " FROM " + deltaTable + " AS " + CHANGED + ") AS " + alias;
  }

  private List<String> columns(Input input) {
    if (input.derived() != null) {
      return input.derived().columns();
    }
    List<String> columns = new ArrayList<>();
    input.relation().columns().forEach(c -> {
      if (named.contains(c.name())) {
        columns.add(c.name());
      }
    });
    return columns;
  }

  /** Every identifier of {@code sql} as PostgreSQL folds it (quoted kept, unquoted lower-cased). */
  private static Set<String> identifiers(String sql) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENTIFIER.matcher(sql);
    while (m.find()) {
      names.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : Names.fold(m.group(2)));
    }
    return names;
  }
}

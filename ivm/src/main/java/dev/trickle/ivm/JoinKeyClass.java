package dev.trickle.ivm;

import dev.trickle.rewriter.parse.RelationColumn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;

/**
 * Finds the join key a select-project-join block's concurrent maintenances can lock ({@link
 * KeyLocking}), or none.
 *
 * <p><b>When.</b> The block joins plain tables (no derived inputs, functions, semi-joins) with
 * inner joins only, and the column-to-column equalities among the conjuncts of its join conditions
 * and WHERE put one column of every input into one equivalence class (union of the equalities),
 * all of one {@link KeyLocking.Family}. Then every row of the result has one value v in all those
 * columns. The delta of a statement is a sum of terms that each join at least one changed row
 * (old or new image) of a source with the other sources, so every delta row has the key value of
 * a changed row, and every source row a term reads joins a changed row, so has that value too. Two
 * writers whose changed rows have no value in common therefore change disjoint sets of result rows,
 * and neither reads a row the other changes (the other's rows carry its values, before and after):
 * the cross term of their two changes is empty, and each computes exactly what it would alone.
 * Writers sharing a value serialize on it.
 *
 * <p>Further conjuncts (other equalities, non-equi conditions, filters) only remove rows that have
 * that value, so they do not matter. What keeps the stream table's lock row:
 * <ul>
 *   <li><b>no class through every input</b> (a cross join, two key classes each through some of the
 *       inputs, {@code a.x < b.y} alone, an equality under OR): a change of one input then joins
 *       rows of any value of the other.</li>
 *   <li><b>outer joins</b>: the padded rows of a LEFT or FULL JOIN depend on the absence of a match
 *       at the same value, so the argument carries over to their result rows, but a padded row's
 *       key columns of the padded side are NULL, so identical padded rows of a bag need not share a
 *       value (next point), and the padding steps are not tested under concurrency.</li>
 *   <li><b>a bag whose output carries neither a column of the class nor the primary key of an
 *       input</b>: its rows are matched as identical copies, and identical rows may then come from
 *       different values: two writers of different values could each delete "a copy" and pick the
 *       same physical one, and in READ COMMITTED the second then deletes nothing. With a key (one
 *       per row) or a class column in the output, identical rows have one value, so their writers
 *       serialize. With an input's primary key in the output, identical rows come from one row of
 *       that input, which has one value at a time: two writers that see it at two different values
 *       are ordered by the writer that moved it between them (it held both values), so the later
 *       one reads what the earlier committed (or, outside READ COMMITTED, fails on the bucket rows,
 *       {@link KeyLocking}).</li>
 *   <li><b>text and other keys</b> whose equality a hash cannot follow ({@link KeyLocking.Family}).</li>
 * </ul>
 */
final class JoinKeyClass {
  private JoinKeyClass() {}

  /** The block's lockable key, with {@code keyed} telling whether its rows are matched by key. */
  static Optional<KeyLocking> of(QueryBlock block, boolean keyed) {
    if (!block.semiJoins().isEmpty() || block.partitioning() != null || block.aggregating()) {
      return Optional.empty();
    }
    for (Input input : block.inputs()) {
      boolean inner = input.join() == Input.JoinType.FIRST || input.join() == Input.JoinType.INNER
          || input.join() == Input.JoinType.CROSS;
      if (!inner || input.derived() != null || input.isFunction() || input.relation().oid() <= 0) {
        return Optional.empty();
      }
    }
    Map<String, String> parent = new HashMap<>();
    for (Column[] pair : ProbeKeys.equalities(block)) {
      String left = resolve(block, pair[0]);
      String right = resolve(block, pair[1]);
      if (left != null && right != null) {
        parent.put(find(parent, left), find(parent, right));
      }
    }
    Map<String, List<String>> classes = new LinkedHashMap<>();
    for (String member : new TreeSet<>(parent.keySet())) {
      classes.computeIfAbsent(find(parent, member), k -> new ArrayList<>()).add(member);
    }
    for (List<String> members : classes.values()) {
      Optional<KeyLocking> locking = locking(block, members, keyed);
      if (locking.isPresent()) {
        return locking;
      }
    }
    return Optional.empty();
  }

  /** The locking of one class, when it goes through every input and can be hashed. */
  private static Optional<KeyLocking> locking(QueryBlock block, List<String> members, boolean keyed) {
    Map<Long, Set<String>> columns = new LinkedHashMap<>();
    Set<Integer> inputs = new java.util.HashSet<>();
    KeyLocking.Family family = null;
    for (String member : members) {
      int dot = member.indexOf('.');
      int position = Integer.parseInt(member.substring(0, dot));
      Input input = block.inputs().get(position);
      String column = member.substring(dot + 1);
      RelationColumn declared = input.relation().column(column);
      KeyLocking.Family of = KeyLocking.Family.of(declared.type());
      if (of == null || (family != null && family != of)) {
        return Optional.empty();
      }
      family = of;
      inputs.add(position);
      columns.computeIfAbsent(input.relation().oid(), k -> new LinkedHashSet<>()).add(column);
    }
    if (inputs.size() != block.inputs().size()
        || (!keyed && !outputCarries(block, members) && !outputCarriesARow(block))) {
      return Optional.empty();
    }
    return Optional.of(new KeyLocking(columns, family));
  }

  /** True when an output column is a column of the class. */
  private static boolean outputCarries(QueryBlock block, List<String> members) {
    for (Expression output : block.outputs()) {
      if (output instanceof Column c && members.contains(resolve(block, c))) {
        return true;
      }
    }
    return false;
  }

  /** True when the output carries the primary key of an input. */
  private static boolean outputCarriesARow(QueryBlock block) {
    for (Input input : block.inputs()) {
      List<String> key = input.relation().primaryKey();
      if (!key.isEmpty() && key.stream().allMatch(c -> SpjPlan.outputOf(block, input, c) >= 0)) {
        return true;
      }
    }
    return false;
  }

  /** {@code "<input index>.<column>"} for a column of an input of the block, or null. */
  private static String resolve(QueryBlock block, Column c) {
    String column = Names.fold(c.getColumnName());
    String table = c.getTable() == null || c.getTable().getName() == null
        ? null : Names.fold(c.getTable().getName());
    int found = -1;
    for (int i = 0; i < block.inputs().size(); i++) {
      Input input = block.inputs().get(i);
      boolean named = table == null || input.alias().equals(table);
      if (named && input.relation().column(column) != null) {
        if (found >= 0) {
          return null;
        }
        found = i;
      }
    }
    return found < 0 ? null : found + "." + column;
  }

  private static String find(Map<String, String> parent, String member) {
    String root = member;
    while (parent.containsKey(root) && !parent.get(root).equals(root)) {
      root = parent.get(root);
    }
    parent.putIfAbsent(member, member);
    parent.putIfAbsent(root, root);
    return root;
  }
}

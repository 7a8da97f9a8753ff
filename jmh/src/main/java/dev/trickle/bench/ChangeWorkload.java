package dev.trickle.bench;

import dev.trickle.bench.BenchmarkQuery.Source;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Random;

/**
 * Applies one change of a given size to the sources a query reads, in one transaction, through a
 * plain connection (capture is by triggers, so the writer needs no Trickle driver).
 *
 * <p>The mix: for queries over {@code orders}, a tenth of the rows (at least one) are updates of
 * {@code customers} (region and name) when the query reads customers; the rest hit {@code orders}:
 * a quarter inserts, a quarter deletes, half updates (new amount; new status for half of them; new
 * customer, so a join and group key move, for a fifth). For the hierarchy: a fifth inserts (a new
 * leaf under a random node), a fifth deletes (the subtree below becomes unreachable), a fifth
 * moves (a node gets a new, lower-numbered parent, so no cycle appears and every descendant's path
 * and depth change) and the rest renames (every descendant's path changes). The root stays.
 */
final class ChangeWorkload {
  private static final String UPDATE_ORDERS =
      "UPDATE orders o SET amount = v.amount, status = coalesce(v.status, o.status),"
          + " customer_id = coalesce(v.customer_id, o.customer_id)"
          + " FROM unnest(?::bigint[], ?::numeric[], ?::text[], ?::integer[]) AS v(id, amount, status, customer_id)"
          + " WHERE o.id = v.id";
  private static final String DELETE_ORDERS = "DELETE FROM orders WHERE id = ANY (?::bigint[])";
  private static final String INSERT_ORDERS =
      "INSERT INTO orders (id, customer_id, amount, status, created)"
          + " SELECT v.id, v.customer_id, v.amount, v.status, now()"
          + " FROM unnest(?::bigint[], ?::integer[], ?::numeric[], ?::text[]) AS v(id, customer_id, amount, status)";
  private static final String UPDATE_CUSTOMERS =
      "UPDATE customers c SET region = v.region, name = v.name"
          + " FROM unnest(?::integer[], ?::text[], ?::text[]) AS v(id, region, name) WHERE c.id = v.id";
  private static final String RENAME_NODES =
      "UPDATE tree t SET name = v.name FROM unnest(?::integer[], ?::text[]) AS v(id, name) WHERE t.id = v.id";
  private static final String MOVE_NODES =
      "UPDATE tree t SET parent_id = v.parent_id"
          + " FROM unnest(?::integer[], ?::integer[]) AS v(id, parent_id) WHERE t.id = v.id";
  private static final String DELETE_NODES = "DELETE FROM tree WHERE id = ANY (?::integer[])";
  private static final String INSERT_NODES =
      "INSERT INTO tree (id, name, parent_id)"
          + " SELECT v.id, 'node ' || v.id, v.parent_id FROM unnest(?::integer[], ?::integer[]) AS v(id, parent_id)";

  private final LiveIds orderIds;
  private final LiveIds nodeIds;
  private final int customers;
  private long nextOrderId;
  private long nextNodeId;
  private int version;

  /** Starts from the freshly generated sources. */
  ChangeWorkload(SourceTables tables) {
    orderIds = new LiveIds(1, tables.orders());
    nodeIds = new LiveIds(2, tables.treeNodes());
    customers = tables.customers();
    nextOrderId = tables.orders() + 1L;
    nextNodeId = tables.treeNodes() + 1L;
  }

  /** Applies a change of {@code rows} source rows to what {@code query} reads and commits it. */
  void apply(Connection plain, BenchmarkQuery query, int rows, Random random) throws SQLException {
    version++;
    boolean autoCommit = plain.getAutoCommit();
    plain.setAutoCommit(false);
    try {
      if (query.sources().contains(Source.TREE)) {
        changeTree(plain, rows, random);
      } else {
        int customerRows = query.sources().contains(Source.CUSTOMERS) ? Math.max(1, rows / 10) : 0;
        changeCustomers(plain, customerRows, random);
        changeOrders(plain, rows - customerRows, random);
      }
      plain.commit();
    } catch (SQLException | RuntimeException e) {
      plain.rollback();
      throw e;
    } finally {
      plain.setAutoCommit(autoCommit);
    }
  }

  private void changeOrders(Connection c, int rows, Random random) throws SQLException {
    int inserts = rows / 4;
    int deletes = rows / 4;
    int updates = rows - inserts - deletes;
    long[] deleted = orderIds.removeRandom(deletes, random);
    long[] updated = orderIds.sample(updates, random);
    Long[] ids = new Long[updated.length];
    BigDecimal[] amounts = new BigDecimal[updated.length];
    String[] statuses = new String[updated.length];
    Integer[] customerIds = new Integer[updated.length];
    for (int i = 0; i < updated.length; i++) {
      ids[i] = updated[i];
      amounts[i] = amount(random);
      statuses[i] = random.nextBoolean() ? status(random) : null;
      customerIds[i] = random.nextInt(5) == 0 ? customer(random) : null;
    }
    execute(c, ids.length, UPDATE_ORDERS, array(c, "bigint", ids), array(c, "numeric", amounts),
        array(c, "text", statuses), array(c, "integer", customerIds));
    execute(c, deleted.length, DELETE_ORDERS, array(c, "bigint", boxed(deleted)));
    Long[] newIds = new Long[inserts];
    Integer[] newCustomers = new Integer[inserts];
    BigDecimal[] newAmounts = new BigDecimal[inserts];
    String[] newStatuses = new String[inserts];
    for (int i = 0; i < inserts; i++) {
      newIds[i] = nextOrderId++;
      orderIds.add(newIds[i]);
      newCustomers[i] = customer(random);
      newAmounts[i] = amount(random);
      newStatuses[i] = status(random);
    }
    execute(c, inserts, INSERT_ORDERS, array(c, "bigint", newIds), array(c, "integer", newCustomers),
        array(c, "numeric", newAmounts), array(c, "text", newStatuses));
  }

  private void changeCustomers(Connection c, int rows, Random random) throws SQLException {
    if (rows == 0) {
      return;
    }
    LiveIds all = new LiveIds(1, customers);
    long[] picked = all.sample(rows, random);
    Integer[] ids = new Integer[picked.length];
    String[] regions = new String[picked.length];
    String[] names = new String[picked.length];
    for (int i = 0; i < picked.length; i++) {
      ids[i] = (int) picked[i];
      regions[i] = "region " + (1 + random.nextInt(SourceTables.REGIONS));
      names[i] = "customer " + picked[i] + " v" + version;
    }
    execute(c, ids.length, UPDATE_CUSTOMERS, array(c, "integer", ids), array(c, "text", regions), array(c, "text", names));
  }

  private void changeTree(Connection c, int rows, Random random) throws SQLException {
    int inserts = rows / 5;
    int deletes = rows / 5;
    int moves = rows / 5;
    int renames = rows - inserts - deletes - moves;
    long[] deleted = nodeIds.removeRandom(deletes, random);
    long[] renamed = nodeIds.sample(renames, random);
    Integer[] renameIds = new Integer[renamed.length];
    String[] names = new String[renamed.length];
    for (int i = 0; i < renamed.length; i++) {
      renameIds[i] = (int) renamed[i];
      names[i] = "node " + renamed[i] + " v" + version;
    }
    execute(c, renameIds.length, RENAME_NODES, array(c, "integer", renameIds), array(c, "text", names));
    Integer[] moved = new Integer[moves];
    Integer[] newParents = new Integer[moves];
    for (int i = 0; i < moves; i++) {
      long a = nodeIds.pick(random);
      long b = nodeIds.pick(random);
      moved[i] = (int) Math.max(a, b);
      newParents[i] = a == b ? 1 : (int) Math.min(a, b);
    }
    execute(c, moves, MOVE_NODES, array(c, "integer", moved), array(c, "integer", newParents));
    execute(c, deleted.length, DELETE_NODES, array(c, "integer", intsOf(deleted)));
    Integer[] newIds = new Integer[inserts];
    Integer[] parents = new Integer[inserts];
    for (int i = 0; i < inserts; i++) {
      parents[i] = (int) nodeIds.pick(random);
      newIds[i] = (int) nextNodeId++;
      nodeIds.add(newIds[i]);
    }
    execute(c, inserts, INSERT_NODES, array(c, "integer", newIds), array(c, "integer", parents));
  }

  private BigDecimal amount(Random random) {
    return BigDecimal.valueOf(random.nextInt(100_000), 2);
  }

  private String status(Random random) {
    return SourceTables.STATUSES[random.nextInt(SourceTables.STATUSES.length)];
  }

  private int customer(Random random) {
    return 1 + random.nextInt(customers);
  }

  private static Long[] boxed(long[] values) {
    Long[] boxed = new Long[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  private static Integer[] intsOf(long[] values) {
    Integer[] ints = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = (int) values[i];
    }
    return ints;
  }

  private static Array array(Connection c, String type, Object[] values) throws SQLException {
    return c.createArrayOf(type, values);
  }

  private static void execute(Connection c, int rows, String sql, Array... arrays)
      throws SQLException {
    if (rows == 0) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < arrays.length; i++) {
        ps.setArray(i + 1, arrays[i]);
      }
      ps.executeUpdate();
    }
  }
}

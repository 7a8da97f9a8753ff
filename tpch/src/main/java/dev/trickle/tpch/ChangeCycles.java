package dev.trickle.tpch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded change cycles over the TPC-H tables, each committed as one transaction through the
 * connection it is given: TPC-H's refresh functions (RF2 deletes orders with their lineitems, RF1
 * inserts new orders with their lineitems) and updates of every table: lineitem (quantity, price,
 * discount, dates, return flag), orders (priority, status, date, customer, comment), customer
 * (balance, segment, nation), part (size, price, brand), partsupp (cost, quantity), supplier
 * (balance, nation, comment), and one nation and one region comment.
 *
 * <p>Each step picks about {@code fraction} of its table's rows by a hash of the row's key and a
 * seed drawn for the step ({@code hashint8extended}), so the same seed and cycle pick the same rows
 * whatever the physical order of the table; the dense-keyed customer, part, partsupp and supplier
 * also always get one row picked by key, so every table changes in every cycle even at SF 0.01. New
 * orders copy picked orders (with their lineitems) under new keys above the largest one and move to
 * another customer. Which columns change was chosen so that rows move across the queries' filters,
 * groups and join keys.
 */
public final class ChangeCycles {
  private static final int HASH_RANGE = 1 << 20;
  private static final String PICK = "(hashint8extended(%s, ?) & " + (HASH_RANGE - 1) + ") < ?";

  private static final String DELETE_LINEITEMS = "DELETE FROM lineitem WHERE l_orderkey IN"
      + " (SELECT o_orderkey FROM orders WHERE " + pick("o_orderkey") + ")";
  private static final String DELETE_ORDERS = "DELETE FROM orders WHERE " + pick("o_orderkey");
  private static final String TEMPLATES =
      "SELECT o_orderkey AS old_key, ? + row_number() OVER (ORDER BY"
          + " o_orderkey) AS new_key FROM orders WHERE o_orderkey <= ? AND "
          + pick("o_orderkey");
  private static final String INSERT_ORDERS = "INSERT INTO orders SELECT m.new_key,"
      + " 1 + (hashint8extended(o_orderkey, ?) & 2147483647) % ?, 'O', o_totalprice, o_orderdate,"
      + " o_orderpriority, o_clerk, o_shippriority, o_comment FROM (" + TEMPLATES + ") m"
      + " JOIN orders ON o_orderkey = m.old_key";
  private static final String INSERT_LINEITEMS =
      "INSERT INTO lineitem SELECT m.new_key, l_partkey, l_suppkey, l_linenumber, l_quantity % 50 +"
          + " 1, l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate,"
          + " l_commitdate, l_receiptdate, l_shipinstruct, l_shipmode, l_comment FROM ("
          + TEMPLATES
          + ") m JOIN lineitem ON l_orderkey = m.old_key";
  private static final String UPDATE_LINEITEMS =
      "UPDATE lineitem SET l_quantity = l_quantity % 50 + 1, l_extendedprice = l_extendedprice +"
          + " 1.00, l_discount = ((l_discount * 100)::int + 1) % 11 / 100.0, l_shipdate ="
          + " l_shipdate + 1, l_receiptdate = l_receiptdate + 2, l_returnflag = CASE l_returnflag"
          + " WHEN 'R' THEN 'A' WHEN 'A' THEN 'R' ELSE l_returnflag END WHERE "
          + pick("l_orderkey * 8 + l_linenumber");
  private static final String UPDATE_ORDERS =
      "UPDATE orders SET o_orderpriority = (ARRAY['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT"
          + " SPECIFIED', '5-LOW'])[left(o_orderpriority, 1)::int % 5 + 1], o_orderstatus = CASE"
          + " o_orderstatus WHEN 'F' THEN 'O' WHEN 'O' THEN 'P' ELSE 'F' END, o_orderdate ="
          + " o_orderdate + 1, o_custkey = CASE WHEN o_orderkey % 2 = 0 THEN 1 +"
          + " (hashint8extended(o_orderkey, ?) & 2147483647) % ? ELSE o_custkey END, o_comment ="
          + " CASE WHEN o_orderkey % 3 <> 0 THEN o_comment WHEN o_comment LIKE '%special%requests%'"
          + " THEN 'ordinary order' ELSE 'special requests' END WHERE "
          + pick("o_orderkey");
  private static final String UPDATE_CUSTOMERS =
      "UPDATE customer SET c_acctbal = -c_acctbal, c_mktsegment = CASE c_mktsegment WHEN"
          + " 'AUTOMOBILE' THEN 'BUILDING' WHEN 'BUILDING' THEN 'FURNITURE' WHEN 'FURNITURE' THEN"
          + " 'HOUSEHOLD' WHEN 'HOUSEHOLD' THEN 'MACHINERY' ELSE 'AUTOMOBILE' END, c_nationkey ="
          + " CASE WHEN c_custkey % 2 = 1 THEN (c_nationkey + 1) % 25 ELSE c_nationkey END WHERE "
          + pick("c_custkey")
          + " OR c_custkey = ?";
  private static final String UPDATE_PARTS = "UPDATE part SET p_size = p_size % 50 + 1,"
      + " p_retailprice = p_retailprice + 1.00,"
      + " p_brand = 'Brand#' || (substr(p_brand, 7, 1)::int % 5 + 1) || substr(p_brand, 8, 1)"
      + " WHERE " + pick("p_partkey") + " OR p_partkey = ?";
  private static final String UPDATE_PARTSUPPS = "UPDATE partsupp SET"
      + " ps_supplycost = CASE WHEN ps_suppkey % 2 = 0 THEN ps_supplycost + 1.00"
      + " ELSE greatest(ps_supplycost - 1.00, 1.00) END, ps_availqty = ps_availqty % 9999 + 1"
      + " WHERE " + pick("ps_partkey::bigint * 1000003 + ps_suppkey") + " OR ps_partkey = ?";
  private static final String UPDATE_SUPPLIERS =
      "UPDATE supplier SET s_acctbal = -s_acctbal, s_nationkey = CASE WHEN s_suppkey % 2 = 0 THEN"
          + " (s_nationkey + 1) % 25 ELSE s_nationkey END, s_comment = CASE WHEN s_comment LIKE"
          + " '%Customer%Complaints%' THEN 'no complaints' ELSE 'Customer Complaints' END WHERE "
          + pick("s_suppkey")
          + " OR s_suppkey = ?";
  private static final String UPDATE_NATION =
      "UPDATE nation SET n_comment = 'changed in cycle ' || ? WHERE n_nationkey = ?";
  private static final String UPDATE_REGION =
      "UPDATE region SET r_comment = 'changed in cycle ' || ? WHERE r_regionkey = ?";

  private final double fraction;
  private final long seed;

  /**
   * @param fraction the share of each table's rows a cycle deletes, inserts and updates (each),
   *     e.g. 0.001 for 0.1%
   * @param seed seeds every pick; the same seed, fraction and data give the same cycles
   */
  public ChangeCycles(double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 0.5)) {
      throw new IllegalArgumentException("fraction must lie in (0, 0.5], not " + fraction);
    }
    this.fraction = fraction;
    this.seed = seed;
  }

  /** The share of rows each step touches. */
  public double fraction() {
    return fraction;
  }

  /**
   * Runs cycle {@code cycle} as one transaction on {@code c} (restoring its autocommit mode) and
   * commits it.
   */
  public ChangeCycle apply(Connection c, int cycle) throws SQLException {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + cycle);
    int threshold = (int) Math.max(1, Math.round(fraction * HASH_RANGE));
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      long customers = number(c, "SELECT max(c_custkey) FROM customer");
      long parts = number(c, "SELECT max(p_partkey) FROM part");
      long suppliers = number(c, "SELECT max(s_suppkey) FROM supplier");
      Map<String, Integer> rows = new LinkedHashMap<>();
      long oldOrders = random.nextLong();
      rows.put("lineitem -", run(c, DELETE_LINEITEMS, oldOrders, threshold));
      rows.put("orders -", run(c, DELETE_ORDERS, oldOrders, threshold));
      long base = number(c, "SELECT max(o_orderkey) FROM orders");
      long templates = random.nextLong();
      rows.put(
          "orders +",
          run(c, INSERT_ORDERS, random.nextLong(), customers, base, base, templates, threshold));
      rows.put("lineitem +", run(c, INSERT_LINEITEMS, base, base, templates, threshold));
      rows.put("lineitem ~", run(c, UPDATE_LINEITEMS, random.nextLong(), threshold));
      rows.put(
          "orders ~",
          run(c, UPDATE_ORDERS, random.nextLong(), customers, random.nextLong(), threshold));
      rows.put(
          "customer ~",
          run(c, UPDATE_CUSTOMERS, random.nextLong(), threshold, 1 + random.nextLong(customers)));
      rows.put(
          "part ~", run(c, UPDATE_PARTS, random.nextLong(), threshold, 1 + random.nextLong(parts)));
      rows.put(
          "partsupp ~",
          run(c, UPDATE_PARTSUPPS, random.nextLong(), threshold, 1 + random.nextLong(parts)));
      rows.put(
          "supplier ~",
          run(c, UPDATE_SUPPLIERS, random.nextLong(), threshold, 1 + random.nextLong(suppliers)));
      rows.put("nation ~", run(c, UPDATE_NATION, cycle, Math.floorMod(cycle, 25)));
      rows.put("region ~", run(c, UPDATE_REGION, cycle, Math.floorMod(cycle, 5)));
      c.commit();
      return new ChangeCycle(cycle, rows);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static String pick(String key) {
    return String.format(java.util.Locale.ROOT, PICK, key);
  }

  private static int run(Connection c, String sql, long... parameters) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setLong(i + 1, parameters[i]);
      }
      return ps.executeUpdate();
    }
  }

  private static long number(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

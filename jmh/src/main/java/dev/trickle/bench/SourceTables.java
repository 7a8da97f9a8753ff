package dev.trickle.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Builds the benchmark's source tables with {@code generate_series} and a fixed {@code setseed}:
 * {@code customers(id, region, name)} with a tenth as many rows as orders and 8 regions, {@code
 * orders(id, customer_id, amount, status, created)} with 4 statuses, and the hierarchy {@code
 * tree(id, name, parent_id)} where each node's parent is a random earlier node (a random recursive
 * tree rooted at node 1). Join and group keys are indexed ({@code orders.customer_id}, {@code
 * tree.parent_id}, and the primary keys); {@code orders.amount} is deliberately not.
 */
final class SourceTables {
  /** The regions customers are spread over (the groups of the join + aggregate query). */
  static final int REGIONS = 8;

  /** The statuses orders take (the filter query keeps one of them). */
  static final String[] STATUSES = {"new", "paid", "shipped", "cancelled"};

  private final int orders;
  private final int customers;
  private final int treeNodes;

  private SourceTables(int orders, int customers, int treeNodes) {
    this.orders = orders;
    this.customers = customers;
    this.treeNodes = treeNodes;
  }

  /**
   * Drops and recreates the sources: {@code orderRows} orders and, when {@code treeNodes > 0}, a
   * hierarchy of that many nodes.
   */
  static SourceTables create(Connection plain, int orderRows, int treeNodes, long seed)
      throws SQLException {
    int customerRows = Math.max(10, orderRows / 10);
    try (Statement st = plain.createStatement()) {
      st.execute("DROP TABLE IF EXISTS orders, customers, tree CASCADE");
      st.execute("SELECT setseed(" + ((seed % 1000) / 1000.0) + ")");
      st.execute("CREATE TABLE customers (id integer PRIMARY KEY, region text NOT NULL, name text NOT NULL)");
      st.execute(
          "INSERT INTO customers SELECT i, 'region ' || (1 + floor(random() * " + REGIONS + ")::int),"
              + " 'customer ' || i FROM generate_series(1, " + customerRows + ") i");
      st.execute(
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL,"
              + " amount numeric(10, 2) NOT NULL, status text NOT NULL, created timestamptz NOT NULL)");
      st.execute(
          "INSERT INTO orders SELECT i, 1 + floor(random() * " + customerRows + ")::int,"
              + " round((random() * 1000)::numeric, 2),"
              + " (ARRAY['" + String.join("', '", STATUSES) + "'])[1 + floor(random() * "
              + STATUSES.length + ")::int],"
              + " timestamptz '2025-01-01 00:00+00' + i * interval '1 minute'"
              + " FROM generate_series(1, " + orderRows + ") i");
      st.execute("CREATE INDEX orders_customer_id_idx ON orders (customer_id)");
      st.execute("VACUUM ANALYZE customers");
      st.execute("VACUUM ANALYZE orders");
      if (treeNodes > 0) {
        st.execute("CREATE TABLE tree (id integer PRIMARY KEY, name text NOT NULL, parent_id integer)");
        st.execute(
            "INSERT INTO tree SELECT i, 'node ' || i,"
                + " CASE WHEN i = 1 THEN NULL ELSE 1 + floor(random() * (i - 1))::int END"
                + " FROM generate_series(1, " + treeNodes + ") i");
        st.execute("CREATE INDEX tree_parent_id_idx ON tree (parent_id)");
        st.execute("VACUUM ANALYZE tree");
      }
    }
    return new SourceTables(orderRows, customerRows, treeNodes);
  }

  int orders() {
    return orders;
  }

  int customers() {
    return customers;
  }

  int treeNodes() {
    return treeNodes;
  }
}

package dev.trickle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The statements the scanner benchmark reads: {@value #SIZE} statements of the kinds an application
 * sends through a JDBC driver, generated from a fixed seed so that every run reads the same text.
 *
 * <p>Most are ORM-style selects with joins, inserts with many values, updates and deletes; the rest
 * are DDL, statements carrying comments (some mentioning {@code pgtrickle} or {@code STREAM TABLE}
 * inside the comment), dollar-quoted function bodies, session statements, and about one in twenty
 * that really concerns Trickle. Words the scanner looks for also appear where it must ignore them:
 * in strings, comments, quoted identifiers, dollar quotes and names such as {@code event_stream}.
 * Each statement says whether it concerns Trickle, so a test can check the corpus against the
 * scanner.
 */
final class StatementCorpus {
  /** How many statements the corpus holds. */
  static final int SIZE = 1000;

  private static final long SEED = 20_240_601L;

  /** One statement of the corpus and whether it concerns Trickle. */
  record Entry(String sql, boolean concernsTrickle) {}

  private record Entity(String table, String alias, String[] columns) {}

  private static final Entity[] ENTITIES = {
    new Entity("customers", "c1_0", new String[] {"id", "name", "email", "region", "created_at"}),
    new Entity(
        "orders",
        "o1_0",
        new String[] {"id", "customer_id", "status", "total", "created_at", "version"}),
    new Entity(
        "order_lines", "ol1_0", new String[] {"id", "order_id", "product_id", "qty", "price"}),
    new Entity("products", "p1_0", new String[] {"id", "sku", "title", "price", "category_id"}),
    new Entity("categories", "ca1_0", new String[] {"id", "name", "parent_id"}),
    new Entity(
        "event_stream", "es1_0", new String[] {"id", "stream_id", "kind", "payload", "created_at"}),
    new Entity("payments", "pa1_0", new String[] {"id", "order_id", "amount", "method", "paid_at"}),
  };

  private static final String[] NAMES = {
    "Alice", "O''Brien", "Zoë", "Bob; DROP", "stream table", "Ana \"Ann\" Lee", "pgtrickle fan",
  };

  private final Random random = new Random(SEED);
  private final List<Entry> entries = new ArrayList<>(SIZE);

  private StatementCorpus() {}

  /** The corpus: always the same {@value #SIZE} statements in the same order. */
  static List<Entry> generate() {
    StatementCorpus corpus = new StatementCorpus();
    while (corpus.entries.size() < SIZE) {
      corpus.addOne();
    }
    return List.copyOf(corpus.entries);
  }

  private void addOne() {
    int kind = random.nextInt(100);
    if (kind < 28) {
      add(ormSelect());
    } else if (kind < 34) {
      add(reportingSelect());
    } else if (kind < 48) {
      add(multiRowInsert());
    } else if (kind < 56) {
      add(preparedInsert());
    } else if (kind < 66) {
      add(update());
    } else if (kind < 69) {
      add(delete());
    } else if (kind < 77) {
      add(ddl());
    } else if (kind < 84) {
      add(commented());
    } else if (kind < 88) {
      add(functionBody());
    } else if (kind < 95) {
      add(session());
    } else {
      entries.add(new Entry(trickle(), true));
    }
  }

  private void add(String sql) {
    entries.add(new Entry(sql, false));
  }

  private String ormSelect() {
    Entity root = pick(ENTITIES);
    StringBuilder sql = new StringBuilder("select ");
    appendColumns(sql, root);
    int joins = random.nextInt(4);
    StringBuilder from = new StringBuilder(" from ").append(root.table()).append(' ');
    from.append(root.alias());
    for (int i = 0; i < joins; i++) {
      Entity joined = ENTITIES[(indexOf(root) + i + 1) % ENTITIES.length];
      sql.append(',');
      appendColumns(sql, joined);
      from.append(random.nextBoolean() ? " join " : " left join ")
          .append(joined.table())
          .append(' ')
          .append(joined.alias())
          .append(" on ")
          .append(joined.alias())
          .append(".id=")
          .append(root.alias())
          .append('.')
          .append(pick(root.columns()));
    }
    sql.append(from).append(" where ").append(root.alias()).append(".id=?");
    if (random.nextBoolean()) {
      sql.append(" and ").append(root.alias()).append('.').append(pick(root.columns()));
      sql.append(" in (?,?,?,?)");
    }
    if (random.nextInt(3) == 0) {
      sql.append(" order by ").append(root.alias()).append(".created_at desc offset ? rows");
      sql.append(" fetch first ? rows only");
    }
    return sql.toString();
  }

  private String reportingSelect() {
    return "WITH recent AS (\n"
        + "  SELECT o.customer_id, o.total, o.created_at\n"
        + "  FROM orders o\n"
        + "  WHERE o.created_at >= now() - interval '"
        + (1 + random.nextInt(90))
        + " days' AND o.status <> 'cancelled'\n"
        + ")\n"
        + "SELECT c.region,\n"
        + "       count(*) AS orders,\n"
        + "       sum(r.total)::numeric(12,2) AS revenue,\n"
        + "       CASE WHEN sum(r.total) > "
        + random.nextInt(100_000)
        + " THEN 'big' ELSE 'small' END AS \"Size\"\n"
        + "FROM recent r JOIN customers c ON c.id = r.customer_id\n"
        + "WHERE c.name NOT LIKE '%"
        + pick(NAMES)
        + "%'\n"
        + "GROUP BY c.region\n"
        + "HAVING count(*) > "
        + random.nextInt(10)
        + "\n"
        + "ORDER BY revenue DESC";
  }

  private String multiRowInsert() {
    int rows = 5 + random.nextInt(36);
    StringBuilder sql =
        new StringBuilder("INSERT INTO customers (id, name, email, region, created_at) VALUES\n");
    for (int i = 0; i < rows; i++) {
      String name = pick(NAMES);
      sql.append(i == 0 ? "  (" : ",\n  (")
          .append(random.nextInt(1_000_000))
          .append(", '")
          .append(name)
          .append("', ")
          .append(
              random.nextInt(5) == 0 ? "NULL" : "'user" + random.nextInt(10_000) + "@example.com'")
          .append(", ")
          .append(
              random.nextInt(8) == 0 ? "E'north\\nwest'" : "'region-" + random.nextInt(12) + "'")
          .append(", TIMESTAMP '2025-")
          .append(10 + random.nextInt(3))
          .append("-0")
          .append(1 + random.nextInt(9))
          .append(" 12:00:00')");
    }
    return sql.append("\nON CONFLICT (id) DO NOTHING").toString();
  }

  private String preparedInsert() {
    Entity entity = pick(ENTITIES);
    StringBuilder columns = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (String column : entity.columns()) {
      columns.append(columns.length() == 0 ? "" : ",").append(column);
      values.append(values.length() == 0 ? "?" : ",?");
    }
    String returning = random.nextBoolean() ? " returning id" : "";
    return "insert into "
        + entity.table()
        + " ("
        + columns
        + ") values ("
        + values
        + ")"
        + returning;
  }

  private String update() {
    Entity entity = pick(ENTITIES);
    StringBuilder sql = new StringBuilder("update ").append(entity.table()).append(" set ");
    String[] columns = entity.columns();
    for (int i = 1; i < columns.length; i++) {
      sql.append(i == 1 ? "" : ",").append(columns[i]).append("=?");
    }
    if (random.nextBoolean()) {
      sql.append(" where id=? and version=?");
    } else {
      sql.append(" where id=? and ").append(columns[1]).append(" <> '").append(pick(NAMES));
      sql.append('\'');
    }
    return sql.toString();
  }

  private String delete() {
    Entity entity = pick(ENTITIES);
    return "delete from " + entity.table() + " where id=?";
  }

  private String ddl() {
    switch (random.nextInt(5)) {
      case 0:
        return "CREATE TABLE IF NOT EXISTS event_stream_"
            + random.nextInt(100)
            + " (\n"
            + "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
            + "  stream_id uuid NOT NULL,\n"
            + "  \"Stream Table\" text,\n"
            + "  kind text NOT NULL CHECK (kind IN ('created', 'stream table', 'closed')),\n"
            + "  payload jsonb NOT NULL DEFAULT '{}'::jsonb,\n"
            + "  created_at timestamptz NOT NULL DEFAULT now()\n"
            + ")";
      case 1:
        return "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_"
            + random.nextInt(100)
            + "_idx ON orders (customer_id, created_at DESC) WHERE status <> 'cancelled'";
      case 2:
        return "ALTER TABLE "
            + pick(ENTITIES).table()
            + " ADD COLUMN IF NOT EXISTS note_"
            + random.nextInt(100)
            + " text DEFAULT 'stream table pending'";
      case 3:
        return "COMMENT ON TABLE event_stream IS 'Feeds pgtrickle.order_totals; not a STREAM"
                   + " TABLE'";
      default:
        return "CREATE VIEW streamed_tables AS SELECT stream_id AS table_id FROM event_stream";
    }
  }

  private String commented() {
    String statement = random.nextBoolean() ? ormSelect() : update();
    switch (random.nextInt(4)) {
      case 0:
        return "/* ApplicationName=shop, controller=orders, action=show */ " + statement;
      case 1:
        return "-- read by the pgtrickle refresh? no: plain application query\n" + statement;
      case 2:
        return "/* outer /* nested: CREATE STREAM TABLE x AS ... */ still comment */\n" + statement;
      default:
        return statement + " -- stream table candidate";
    }
  }

  private String functionBody() {
    if (random.nextBoolean()) {
      return "CREATE OR REPLACE FUNCTION touch_updated_at_"
          + random.nextInt(100)
          + "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
          + "BEGIN\n"
          + "  -- keeps pgtrickle.refresh_stream_table out of the trigger\n"
          + "  NEW.updated_at := now();\n"
          + "  RAISE DEBUG 'stream table % touched', TG_TABLE_NAME;\n"
          + "  RETURN NEW;\n"
          + "END\n"
          + "$fn$";
    }
    return "DO $$\n"
        + "DECLARE n integer;\n"
        + "BEGIN\n"
        + "  SELECT count(*) INTO n FROM orders WHERE status = 'open';\n"
        + "  IF n > "
        + random.nextInt(1000)
        + " THEN\n"
        + "    RAISE NOTICE 'create stream table later: % open orders', n;\n"
        + "  END IF;\n"
        + "END\n"
        + "$$";
  }

  private String session() {
    switch (random.nextInt(7)) {
      case 0:
        return "BEGIN";
      case 1:
        return "COMMIT";
      case 2:
        return "SELECT 1";
      case 3:
        return "SET search_path TO app, public";
      case 4:
        return "SET application_name = 'stream table loader'";
      case 5:
        return "select nextval('orders_id_seq')";
      default:
        return "SHOW transaction_isolation";
    }
  }

  private String trickle() {
    switch (random.nextInt(8)) {
      case 0:
        return "SELECT pgtrickle.create_stream_table(\n"
            + "  name => 'order_totals_"
            + random.nextInt(100)
            + "',\n"
            + "  query => $$SELECT customer_id, sum(total) AS total FROM orders GROUP BY"
            + " customer_id$$,\n"
            + "  schedule => '1m')";
      case 1:
        return "CREATE STREAM TABLE IF NOT EXISTS region_revenue WITH (schedule = '5m') AS\n"
            + "SELECT c.region, sum(o.total) AS revenue\n"
            + "FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region";
      case 2:
        return "REFRESH STREAM TABLE region_revenue";
      case 3:
        return "SELECT * FROM pgtrickle.pgt_status()";
      case 4:
        return "DROP STREAM TABLE IF EXISTS order_totals_" + random.nextInt(100) + " CASCADE";
      case 5:
        return "CREATE EXTENSION IF NOT EXISTS pg_trickle";
      case 6:
        return "select name, status from \"pgtrickle\".pgt_stream_tables where name = ?";
      default:
        return "ALTER STREAM TABLE region_revenue SET (schedule = '10m')";
    }
  }

  private void appendColumns(StringBuilder sql, Entity entity) {
    String[] columns = entity.columns();
    for (int i = 0; i < columns.length; i++) {
      if (i > 0) {
        sql.append(',');
      }
      sql.append(entity.alias()).append('.').append(columns[i]);
    }
  }

  private static int indexOf(Entity entity) {
    for (int i = 0; i < ENTITIES.length; i++) {
      if (ENTITIES[i] == entity) {
        return i;
      }
    }
    throw new IllegalArgumentException(entity.table());
  }

  private <T> T pick(T[] values) {
    return values[random.nextInt(values.length)];
  }
}

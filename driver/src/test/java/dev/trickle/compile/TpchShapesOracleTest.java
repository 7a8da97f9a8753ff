package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.ivm.UnsupportedQueryException;
import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TPC-H query texts over a small TPC-H-shaped schema (the columns those queries read): a CTE used
 * in FROM and in a scalar subquery (Q15), correlated scalar aggregate subqueries decorrelated into
 * joins with grouped inputs (Q2, Q17, the scalar subquery of Q20, and count's empty group), an
 * uncorrelated one next to NOT EXISTS (Q22), HAVING compared with a scalar aggregate subquery over
 * the same join (Q11) or with a correlated one, and window functions over grouped rows (the
 * grouping split into a maintained derived input). After random inserts, updates and deletes on
 * every table and a differential refresh, each table equals its query.
 */
class TpchShapesOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  static final String Q15 = """
      with revenue0 (supplier_no, total_revenue) as (
        select l_suppkey, sum(l_extendedprice * (1 - l_discount))
        from lineitem
        where l_shipdate >= date '1996-01-01' and l_shipdate < date '1996-01-01' + interval '3' month
        group by l_suppkey)
      select s_suppkey, s_name, s_address, s_phone, total_revenue
      from supplier, revenue0
      where s_suppkey = supplier_no
        and total_revenue = (select max(total_revenue) from revenue0)
      order by s_suppkey""";

  static final String Q17 = """
      select sum(l_extendedprice) / 7.0 as avg_yearly
      from lineitem, part
      where p_partkey = l_partkey
        and p_brand = 'Brand#23'
        and p_container = 'MED BOX'
        and l_quantity < (select 0.2 * avg(l_quantity) from lineitem where l_partkey = p_partkey)""";

  static final String Q2 = """
      select s_acctbal, s_name, n_name, p_partkey, p_mfgr, s_address, s_phone, s_comment
      from part, supplier, partsupp, nation, region
      where p_partkey = ps_partkey and s_suppkey = ps_suppkey and p_size = 15 and p_type like '%BRASS'
        and s_nationkey = n_nationkey and n_regionkey = r_regionkey and r_name = 'EUROPE'
        and ps_supplycost = (
          select min(ps_supplycost) from partsupp, supplier, nation, region
          where p_partkey = ps_partkey and s_suppkey = ps_suppkey and s_nationkey = n_nationkey
            and n_regionkey = r_regionkey and r_name = 'EUROPE')
      order by s_acctbal desc, n_name, s_name, p_partkey
      limit 100""";

  /** The correlated scalar subquery of Q20, two correlation columns. */
  static final String Q20_SCALAR = """
      select ps_partkey, ps_suppkey, ps_availqty from partsupp
      where ps_availqty > (
        select 0.5 * sum(l_quantity) from lineitem
        where l_partkey = ps_partkey and l_suppkey = ps_suppkey
          and l_shipdate >= date '1994-01-01' and l_shipdate < date '1994-01-01' + interval '1' year)""";

  static final String Q22 = """
      select cntrycode, count(*) as numcust, sum(c_acctbal) as totacctbal
      from (
        select substring(c_phone from 1 for 2) as cntrycode, c_acctbal
        from customer
        where substring(c_phone from 1 for 2) in ('13', '31', '23', '29', '30', '18', '17')
          and c_acctbal > (
            select avg(c_acctbal) from customer
            where c_acctbal > 0.00 and substring(c_phone from 1 for 2) in ('13', '31', '23', '29', '30', '18', '17'))
          and not exists (select * from orders where o_custkey = c_custkey)) as custsale
      group by cntrycode""";

  static final String Q11 = """
      select ps_partkey, sum(ps_supplycost * ps_availqty) as value
      from partsupp, supplier, nation
      where ps_suppkey = s_suppkey and s_nationkey = n_nationkey and n_name = 'N2'
      group by ps_partkey having
        sum(ps_supplycost * ps_availqty) > (
          select sum(ps_supplycost * ps_availqty) * 0.1
          from partsupp, supplier, nation
          where ps_suppkey = s_suppkey and s_nationkey = n_nationkey and n_name = 'N2')""";

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE region (r_regionkey int PRIMARY KEY, r_name text NOT NULL)");
    harness.exec("CREATE TABLE nation (n_nationkey int PRIMARY KEY, n_name text NOT NULL, n_regionkey int NOT NULL)");
    harness.exec("CREATE TABLE supplier (s_suppkey int PRIMARY KEY, s_name text NOT NULL, s_address text NOT NULL,"
        + " s_nationkey int NOT NULL, s_phone text NOT NULL, s_acctbal numeric(15,2) NOT NULL, s_comment text NOT NULL)");
    harness.exec("CREATE TABLE part (p_partkey int PRIMARY KEY, p_mfgr text NOT NULL, p_brand text NOT NULL,"
        + " p_type text NOT NULL, p_size int NOT NULL, p_container text NOT NULL)");
    harness.exec("CREATE TABLE partsupp (ps_partkey int NOT NULL, ps_suppkey int NOT NULL, ps_availqty int NOT NULL,"
        + " ps_supplycost numeric(15,2) NOT NULL, PRIMARY KEY (ps_partkey, ps_suppkey))");
    harness.exec("CREATE TABLE lineitem (l_orderkey int NOT NULL, l_linenumber int NOT NULL, l_partkey int NOT NULL,"
        + " l_suppkey int NOT NULL, l_quantity numeric(15,2) NOT NULL, l_extendedprice numeric(15,2) NOT NULL,"
        + " l_discount numeric(15,2) NOT NULL, l_shipdate date NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber))");
    harness.exec("CREATE TABLE customer (c_custkey int PRIMARY KEY, c_phone text NOT NULL, c_acctbal numeric(15,2) NOT NULL)");
    harness.exec("CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_custkey int NOT NULL)");
    harness.exec("INSERT INTO region VALUES (0, 'AFRICA'), (1, 'EUROPE'), (2, 'ASIA')");
    harness.exec("INSERT INTO nation SELECT g, 'N' || g, g % 3 FROM generate_series(0, 5) g");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  static Stream<String> queries() {
    return Stream.of(Q15, Q17, Q2, Q20_SCALAR, Q22,
        "select p_partkey, p_brand, (select count(*) from lineitem where l_partkey = p_partkey and l_quantity > 5) as big_lines"
            + " from part",
        "select p_partkey, (select max(l_quantity) from lineitem l, partsupp where l.l_partkey = ps_partkey and ps_suppkey = l.l_suppkey"
            + " and ps_partkey = p_partkey) + 1 as top_quantity from part where p_size = 15",
        "select s_suppkey from supplier where s_acctbal > coalesce((select sum(ps_supplycost) from partsupp where ps_suppkey = s_suppkey), 0)",
        Q11,
        "select s_nationkey, count(*) as n from supplier group by s_nationkey"
            + " having count(*) > (select count(*) from part where p_size = s_nationkey + 6)",
        "select ps_suppkey, sum(ps_availqty) as qty, rank() over (order by sum(ps_availqty) desc) as place"
            + " from partsupp group by ps_suppkey",
        "select ps_partkey, count(*) as n, sum(count(*)) over (partition by ps_partkey % 3) as share,"
            + " row_number() over (partition by ps_partkey % 3 order by max(ps_supplycost), ps_partkey) as rn"
            + " from partsupp, supplier where s_suppkey = ps_suppkey and s_acctbal > 0 group by ps_partkey");
  }

  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryRefresh(String query) throws Exception {
    long seed = FuzzCycles.seed(query.hashCode());
    Random r = new Random(seed);
    load(r);
    String oracle = query.contains("limit") ? query : query.replaceAll("(?s)\\s+order by [^)]*$", "");
    harness.assertMaintained(harness.nextName("tpch_"), query, oracle, seed, FuzzCycles.perCase(20), () -> {
      for (int i = 0; i < 1 + r.nextInt(6); i++) {
        harness.exec(change(r));
      }
    });
  }

  @Test
  void aCorrelationThatIsNotAnEqualityIsRefusedAtItsPosition() {
    String query = "select p_partkey\nfrom part\nwhere p_size < (select avg(l_quantity) from lineitem where l_partkey > p_partkey)";
    assertThatThrownBy(() -> harness.create("tpch_refused", query))
        .isInstanceOf(UnsupportedQueryException.class)
        .hasMessageContaining("correlated scalar subquery")
        .hasMessageContaining("line 3, column 17");
  }

  @Test
  void twoCorrelatedSubqueriesThatEachNeedAnOuterJoinAreRefused() {
    String query = "select p_partkey, (select count(*) from lineitem where l_partkey = p_partkey) as n,\n"
        + "  (select max(ps_supplycost) from partsupp where ps_partkey = p_partkey) as top from part";
    assertThatThrownBy(() -> harness.create("tpch_refused_two", query))
        .isInstanceOf(UnsupportedQueryException.class)
        .hasMessageContaining("more than one correlated scalar subquery that needs an outer join")
        .hasMessageContaining("line 2, column 4");
  }

  private static void load(Random r) throws Exception {
    harness.exec("DELETE FROM supplier; DELETE FROM part; DELETE FROM partsupp; DELETE FROM lineitem;"
        + " DELETE FROM customer; DELETE FROM orders");
    harness.exec("INSERT INTO supplier SELECT g, 'S' || g, 'addr' || g, g % 6, '1' || (g % 4) || '-555', (g * 37 % 100) - 20, 'c'"
        + " FROM generate_series(1, 8) g");
    harness.exec("INSERT INTO part SELECT g, 'M' || g % 2, CASE WHEN g % 2 = 0 THEN 'Brand#23' ELSE 'Brand#12' END,"
        + " CASE WHEN g % 3 = 0 THEN 'LARGE BRASS' ELSE 'SMALL TIN' END, CASE WHEN g % 2 = 0 THEN 15 ELSE 7 END,"
        + " CASE WHEN g % 4 < 2 THEN 'MED BOX' ELSE 'SM CASE' END FROM generate_series(1, 10) g");
    harness.exec("INSERT INTO partsupp SELECT p, s, (p * s) % 40, (p * 7 + s * 3) % 20 + 1"
        + " FROM generate_series(1, 10) p, generate_series(1, 8) s WHERE (p + s) % 3 = 0");
    for (int i = 0; i < 40; i++) {
      harness.exec(insertLineitem(r, i));
    }
    harness.exec("INSERT INTO customer SELECT g, (ARRAY['13', '31', '23', '11'])[g % 4 + 1] || '-' || g, (g * 53 % 200) - 50"
        + " FROM generate_series(1, 12) g");
    harness.exec("INSERT INTO orders SELECT g, g * 5 % 12 + 1 FROM generate_series(1, 6) g");
  }

  private static String insertLineitem(Random r, int order) {
    return "INSERT INTO lineitem VALUES (" + order + ", " + r.nextInt(3) + ", " + (1 + r.nextInt(10)) + ", "
        + (1 + r.nextInt(8)) + ", " + (1 + r.nextInt(12)) + ", " + (10 + r.nextInt(90)) + ", 0.0" + r.nextInt(10)
        + ", date '1994-01-01' + " + r.nextInt(1000) + ") ON CONFLICT DO NOTHING";
  }

  /** One random insert, update or delete on one of the tables the queries read. */
  private static String change(Random r) {
    int k = 1 + r.nextInt(10);
    return switch (r.nextInt(12)) {
      case 0, 1 -> insertLineitem(r, r.nextInt(60));
      case 2 -> "DELETE FROM lineitem WHERE l_orderkey = " + r.nextInt(60);
      case 3 -> "UPDATE lineitem SET l_quantity = l_quantity + " + (r.nextInt(9) - 4) + ", l_partkey = " + k
          + " WHERE l_orderkey % 13 = " + r.nextInt(13) + " AND l_quantity > 4";
      case 4 -> "UPDATE lineitem SET l_shipdate = l_shipdate + " + (r.nextInt(200) - 100) + " WHERE l_orderkey = " + r.nextInt(60);
      case 5 -> "UPDATE part SET p_brand = 'Brand#" + (r.nextBoolean() ? "23" : "12") + "', p_size = " + (r.nextBoolean() ? 15 : 7)
          + " WHERE p_partkey = " + k;
      case 6 -> "INSERT INTO partsupp VALUES (" + k + ", " + (1 + r.nextInt(8)) + ", " + r.nextInt(40) + ", " + (1 + r.nextInt(20))
          + ") ON CONFLICT (ps_partkey, ps_suppkey) DO UPDATE SET ps_supplycost = excluded.ps_supplycost";
      case 7 -> "DELETE FROM partsupp WHERE ps_partkey = " + k + " AND ps_suppkey % 2 = " + r.nextInt(2);
      case 8 -> "UPDATE supplier SET s_acctbal = s_acctbal + " + (r.nextInt(41) - 20) + ", s_nationkey = " + r.nextInt(6)
          + " WHERE s_suppkey = " + (1 + r.nextInt(8));
      case 9 -> "INSERT INTO customer VALUES (" + (1 + r.nextInt(16)) + ", '" + (r.nextBoolean() ? "13" : "23") + "-9', "
          + (r.nextInt(200) - 50) + ") ON CONFLICT (c_custkey) DO UPDATE SET c_acctbal = excluded.c_acctbal";
      case 10 -> "DELETE FROM orders WHERE o_orderkey = " + (1 + r.nextInt(8));
      default -> "INSERT INTO orders VALUES (" + (1 + r.nextInt(8)) + ", " + (1 + r.nextInt(16)) + ") ON CONFLICT DO NOTHING";
    };
  }
}

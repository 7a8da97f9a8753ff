package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which queries read their relations only through the columns they name. */
class NamedColumnReadsTest {
  @ParameterizedTest
  @ValueSource(strings = {
    "SELECT a.id, b.label FROM a JOIN b ON b.id = a.b_id",
    "SELECT count(*) FROM t",
    "SELECT n2.n_name AS nation FROM nation n1, nation n2, region WHERE n1.n_regionkey ="
        + " r_regionkey AND n2.n_nationkey = n1.n_nationkey",
    "SELECT nation, sum(v) FROM (SELECT n.n_name AS nation, 1 AS v FROM nation n) AS x GROUP BY"
        + " nation",
    "SELECT t.* FROM public.t",
    "SELECT x FROM t WHERE y IN (SELECT y FROM u AS z WHERE z.q = t.x)"
  })
  void namedColumnsOnly(String query) {
    assertThat(NamedColumnReads.only(query)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "SELECT row_to_json(n) FROM nation n",
    "SELECT row_to_json(nation) FROM nation",
    "SELECT row_to_json(public.nation) FROM public.nation",
    "SELECT count(DISTINCT t) FROM t",
    "SELECT a.id FROM a GROUP BY a.id, a",
    "SELECT \"N\".id FROM nation AS \"N\" WHERE \"N\" IS NOT NULL",
    "SELECT ctid, id FROM t",
    "SELECT id FROM t WHERE t.xmin::text::bigint > 0",
    "SELECT t.id, s.v FROM t, LATERAL (SELECT v FROM s WHERE s.id = t.id) s",
    "WITH t AS (SELECT id FROM u) SELECT id FROM t",
    "SELECT id FROM t WHERE",
    "SELECT E'it\\'s' AS q, row_to_json(t) FROM t"
  })
  void readsMoreThanNamedColumns(String query) {
    assertThat(NamedColumnReads.only(query)).isFalse();
  }

  @Test
  void tpchQueriesReadNamedColumnsOnly() {
    String q7 = "select supp_nation, cust_nation, l_year, sum(volume) as revenue from ("
        + " select n1.n_name as supp_nation, n2.n_name as cust_nation,"
        + " extract(year from l_shipdate) as l_year, l_extendedprice * (1 - l_discount) as volume"
        + " from supplier, lineitem, orders, customer, nation n1, nation n2"
        + " where s_suppkey = l_suppkey and o_orderkey = l_orderkey and c_custkey = o_custkey"
        + " and s_nationkey = n1.n_nationkey and c_nationkey = n2.n_nationkey"
        + " and ((n1.n_name = 'FRANCE' and n2.n_name = 'GERMANY')"
        + " or (n1.n_name = 'GERMANY' and n2.n_name = 'FRANCE'))"
        + " and l_shipdate between date '1995-01-01' and date '1996-12-31') as shipping"
        + " group by supp_nation, cust_nation, l_year";
    String q8 = "select o_year, sum(case when nation = 'BRAZIL' then volume else 0 end)"
        + " / sum(volume) as mkt_share from (select extract(year from o_orderdate) as o_year,"
        + " l_extendedprice * (1 - l_discount) as volume, n2.n_name as nation"
        + " from part, supplier, lineitem, orders, customer, nation n1, nation n2, region"
        + " where p_partkey = l_partkey and s_suppkey = l_suppkey and l_orderkey = o_orderkey"
        + " and o_custkey = c_custkey and c_nationkey = n1.n_nationkey"
        + " and n1.n_regionkey = r_regionkey and r_name = 'AMERICA'"
        + " and s_nationkey = n2.n_nationkey"
        + " and o_orderdate between date '1995-01-01' and date '1996-12-31'"
        + " and p_type = 'ECONOMY ANODIZED STEEL') as all_nations group by o_year";
    assertThat(NamedColumnReads.only(q7)).isTrue();
    assertThat(NamedColumnReads.only(q8)).isTrue();
  }
}

package dev.trickle.compile;

import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle for compiled plans: after random changes (NULLs, duplicates, key and group-key
 * updates) and a differential refresh, the table equals its defining query as a multiset.
 */
class DeltaCompilerOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE dept (id int PRIMARY KEY, name text, region text)");
    harness.exec("CREATE TABLE emp (id int PRIMARY KEY, dept_id int, salary numeric(10,2), tag text)");
    harness.exec("CREATE TABLE note (emp_id int, body text)");
    harness.exec("CREATE TABLE doc (id int PRIMARY KEY, tags text[], body jsonb)");
    harness.exec("CREATE VIEW rich AS SELECT id, dept_id, salary FROM emp WHERE salary > 80");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  static Stream<Arguments> queries() {
    return Stream.of(
        Arguments.of("SELECT id, name FROM dept WHERE region IS DISTINCT FROM 'north'"),
        Arguments.of("SELECT * FROM emp"),
        Arguments.of("SELECT e.id, e.salary * 2 AS double_pay, COALESCE(e.tag, 'none') AS tag FROM emp e WHERE e.salary > 100"),
        Arguments.of("SELECT e.id, d.id AS did, d.name, e.salary FROM emp e JOIN dept d ON e.dept_id = d.id"),
        Arguments.of("SELECT e.id, d.name FROM emp e, dept d WHERE e.dept_id = d.id AND d.region = 'south'"),
        Arguments.of("SELECT n.body, e.tag FROM note n JOIN emp e ON n.emp_id = e.id"),
        Arguments.of("SELECT a.id, b.id AS other FROM emp a JOIN emp b ON a.dept_id = b.dept_id AND a.id < b.id"),
        Arguments.of("SELECT d.id, d.name, e.id AS eid, e.salary FROM dept d LEFT JOIN emp e ON e.dept_id = d.id"),
        Arguments.of("SELECT d.region, e.tag FROM dept d LEFT JOIN emp e ON e.dept_id = d.id AND e.salary > 50"),
        Arguments.of("SELECT dept_id, count(*) AS n, sum(salary) AS total, avg(salary) AS mean, count(tag) AS tags FROM emp GROUP BY dept_id"),
        Arguments.of("SELECT dept_id, min(salary) AS lo, max(salary) AS hi FROM emp GROUP BY dept_id"),
        Arguments.of("SELECT tag, string_agg(id::text, ',' ORDER BY id) AS ids, count(DISTINCT dept_id) AS depts FROM emp GROUP BY tag"),
        Arguments.of("SELECT count(*) AS n, sum(salary) AS total, max(salary) AS hi FROM emp"),
        Arguments.of("SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id HAVING count(*) > 2"),
        Arguments.of("SELECT DISTINCT dept_id, tag FROM emp"),
        Arguments.of("SELECT d.id, d.name, count(e.id) AS headcount, COALESCE(sum(e.salary), 0) AS total, COALESCE(avg(e.salary), 0) AS mean"
            + " FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.id, d.name"),
        Arguments.of("SELECT d.region, sum(e.salary) AS total FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY d.region"),
        Arguments.of("SELECT split_part(name, ' ', 1) AS word, count(*) AS n FROM dept GROUP BY 1"),
        Arguments.of("SELECT sum(salary) AS total FROM emp GROUP BY dept_id"),
        Arguments.of("SELECT d.name, s.total FROM dept d JOIN (SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id) s ON s.dept_id = d.id"),
        Arguments.of("SELECT x.id, x.pay FROM (SELECT id, salary * 2 AS pay FROM emp WHERE tag IS NOT NULL) AS x WHERE x.pay > 40"),
        Arguments.of("WITH big AS (SELECT id, dept_id FROM emp WHERE salary > 50) SELECT b.id, d.name FROM big b JOIN dept d ON d.id = b.dept_id"),
        Arguments.of("SELECT r.dept_id, count(*) AS n FROM rich r GROUP BY r.dept_id"),
        Arguments.of("SELECT id, name FROM dept UNION ALL SELECT id, tag FROM emp"),
        Arguments.of("SELECT dept_id AS k FROM emp UNION SELECT id FROM dept WHERE region = 'north'"),
        Arguments.of("SELECT dept_id FROM emp INTERSECT SELECT id FROM dept"),
        Arguments.of("SELECT id FROM dept EXCEPT SELECT dept_id FROM emp"),
        Arguments.of("SELECT dept_id FROM emp INTERSECT ALL SELECT emp_id FROM note"),
        Arguments.of("SELECT emp_id, body FROM note EXCEPT ALL SELECT dept_id, tag FROM emp"),
        Arguments.of("SELECT dept_id, count(*) FILTER (WHERE salary > 100) AS rich, sum(salary) FILTER (WHERE tag IS NOT NULL) AS tagged,"
            + " max(salary) FILTER (WHERE tag = 'w1 x') AS top, count(DISTINCT tag) FILTER (WHERE salary < 150) AS tags FROM emp GROUP BY dept_id"),
        Arguments.of("SELECT id, sum(salary) FILTER (WHERE tag IS NOT NULL) OVER (PARTITION BY dept_id) AS tagged FROM emp"),
        Arguments.of("SELECT dept_id, sum(salary) AS total, rank() OVER (ORDER BY sum(salary) DESC NULLS LAST) AS place FROM emp GROUP BY dept_id"),
        Arguments.of("SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id"
            + " HAVING sum(salary) > (SELECT count(*) * 20 FROM note WHERE note.emp_id = emp.dept_id)"),
        Arguments.of("SELECT dept_id, count(*) AS n FROM emp GROUP BY dept_id HAVING dept_id NOT IN (SELECT emp_id FROM note)"),
        Arguments.of("SELECT d.id, d.name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id AND e.salary > 100)"),
        Arguments.of("SELECT d.id FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id)"),
        Arguments.of("SELECT e.id, e.tag FROM emp e WHERE e.dept_id IN (SELECT id FROM dept WHERE region = 'south')"),
        Arguments.of("SELECT id FROM emp WHERE dept_id NOT IN (SELECT emp_id FROM note)"),
        Arguments.of("SELECT d.region, count(*) AS n FROM dept d WHERE d.id IN (SELECT dept_id FROM emp) GROUP BY d.region"),
        Arguments.of("SELECT d.name, e.id AS eid FROM emp e RIGHT JOIN dept d ON d.id = e.dept_id"),
        Arguments.of("SELECT d.id AS did, e.id AS eid, e.salary FROM dept d FULL JOIN emp e ON d.id = e.dept_id"),
        Arguments.of("SELECT d.region, count(e.id) AS n, count(*) AS total FROM dept d FULL JOIN emp e ON d.id = e.dept_id GROUP BY d.region"),
        Arguments.of("SELECT id, dept_id, rank() OVER (PARTITION BY dept_id ORDER BY salary DESC NULLS LAST) AS r,"
            + " row_number() OVER (PARTITION BY dept_id ORDER BY salary, id) AS rn, sum(salary) OVER (PARTITION BY dept_id) AS dept_total FROM emp"),
        Arguments.of("SELECT id, lag(salary) OVER w AS prev, dense_rank() OVER w AS dr, percent_rank() OVER w AS pr,"
            + " avg(salary) OVER (PARTITION BY tag ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS moving"
            + " FROM emp WINDOW w AS (PARTITION BY tag ORDER BY salary, id)"),
        Arguments.of("SELECT e.id, ntile(3) OVER (ORDER BY e.salary, e.id) AS bucket FROM emp e JOIN dept d ON d.id = e.dept_id"),
        Arguments.of("SELECT DISTINCT ON (dept_id) dept_id, id, salary FROM emp ORDER BY dept_id, salary DESC, id"),
        Arguments.of("SELECT id, salary FROM emp ORDER BY salary DESC NULLS LAST, id LIMIT 5"),
        Arguments.of("SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id ORDER BY total DESC NULLS LAST, dept_id NULLS FIRST LIMIT 3"),
        Arguments.of("SELECT id FROM emp ORDER BY id LIMIT 3 OFFSET 2"),
        Arguments.of("SELECT id, salary FROM emp WHERE salary IS NOT NULL ORDER BY salary FETCH FIRST 2 ROWS WITH TIES"),
        Arguments.of("SELECT dept_id, tag, count(*) AS n, sum(salary) AS total, GROUPING(dept_id, tag) AS g FROM emp GROUP BY ROLLUP(dept_id, tag)"),
        Arguments.of("SELECT dept_id, tag, count(*) AS n FROM emp GROUP BY CUBE(dept_id, tag)"),
        Arguments.of("SELECT dept_id, tag, max(salary) AS top FROM emp GROUP BY GROUPING SETS ((dept_id), (tag), ())"),
        Arguments.of("SELECT d.id, t.tag, t.n FROM doc d, LATERAL unnest(d.tags) WITH ORDINALITY AS t(tag, n)"),
        Arguments.of("SELECT d.id, e.key, e.value FROM doc d CROSS JOIN LATERAL jsonb_each_text(d.body) AS e(key, value)"),
        Arguments.of("SELECT t.tag, count(*) AS n FROM doc d, unnest(d.tags) AS t(tag) GROUP BY t.tag"),
        Arguments.of("SELECT d.id, g FROM doc d, generate_series(1, d.id % 3) AS g"),
        Arguments.of("SELECT e.id, e.salary - (SELECT avg(salary) FROM emp) AS diff FROM emp e WHERE e.salary > (SELECT min(x.salary) + 10 FROM emp x)"),
        Arguments.of("SELECT d.id, (SELECT count(*) FROM note) AS notes FROM dept d"),
        Arguments.of("SELECT d.id, top.id AS eid, top.salary FROM dept d CROSS JOIN LATERAL"
            + " (SELECT e.id, e.salary FROM emp e WHERE e.dept_id = d.id ORDER BY e.salary DESC NULLS LAST, e.id LIMIT 2) top"),
        Arguments.of("SELECT region, count(*) AS n FROM (SELECT d.region, e.id FROM dept d JOIN emp e ON e.dept_id = d.id UNION ALL SELECT region, id FROM dept) u GROUP BY region"),
        Arguments.of("SELECT 1 AS one, 'constant' AS label"),
        Arguments.of("SELECT e.id, v.label FROM emp e JOIN (VALUES (1, 'one'), (2, 'two'), (NULL, 'none')) AS v(n, label) ON v.n = e.dept_id"),
        Arguments.of("SELECT id, tag FROM emp WHERE dept_id IN (SELECT 1) OR dept_id = (SELECT 2) OR dept_id IN (VALUES (3), (4))"),
        Arguments.of("WITH big AS (SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id)"
            + " SELECT d.name, b.total FROM dept d, big b WHERE d.id = b.dept_id AND b.total = (SELECT max(total) FROM big)"),
        Arguments.of("WITH a AS (SELECT id, dept_id FROM emp WHERE salary > 20), b(k, n) AS (SELECT dept_id, count(*) FROM a GROUP BY dept_id)"
            + " SELECT k, n FROM b WHERE n > 1"),
        Arguments.of("SELECT e.id, e.salary FROM emp e WHERE e.salary > (SELECT avg(x.salary) FROM emp x WHERE x.dept_id = e.dept_id)"),
        Arguments.of("SELECT d.id, (SELECT count(*) FROM emp WHERE dept_id = d.id) AS headcount FROM dept d"),
        Arguments.of("SELECT d.id, d.name FROM dept d WHERE (SELECT count(*) FROM emp e WHERE e.dept_id = d.id AND e.salary > 50) < 2"),
        Arguments.of("SELECT d.region, count(*) AS n FROM dept d WHERE 100 < (SELECT sum(salary) FROM emp WHERE dept_id = d.id) GROUP BY d.region"));
  }

  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryRefresh(String query) throws Exception {
    long seed = FuzzCycles.seed(query.hashCode() * 31L + 7);
    Random random = new Random(seed);
    harness.assertMaintained(
        harness.nextName("st_"), query, query, seed, FuzzCycles.perCase(25), () -> mutate(random));
  }

  private static void mutate(Random r) throws Exception {
    int changes = 1 + r.nextInt(6);
    for (int i = 0; i < changes; i++) {
      int id = r.nextInt(30);
      String value = r.nextInt(5) == 0 ? "NULL" : String.valueOf(r.nextInt(8));
      switch (r.nextInt(11)) {
        case 0 -> harness.exec("INSERT INTO dept VALUES (" + id + ", " + word(r) + ", " + region(r) + ") ON CONFLICT DO NOTHING");
        case 1 -> harness.exec("UPDATE dept SET name = " + word(r) + ", region = " + region(r) + " WHERE id = " + id);
        case 2 -> harness.exec("DELETE FROM dept WHERE id = " + id);
        case 3, 4 -> harness.exec("INSERT INTO emp VALUES (" + id + ", " + value + ", " + (r.nextInt(6) == 0 ? "NULL" : r.nextInt(200)) + ", " + word(r) + ") ON CONFLICT DO NOTHING");
        case 5 -> harness.exec("UPDATE emp SET dept_id = " + value + ", salary = salary + " + (r.nextInt(50) - 25) + " WHERE id % 7 = " + (id % 7));
        case 6 -> harness.exec("UPDATE emp SET id = id + 100 WHERE id = " + id + " AND NOT EXISTS (SELECT 1 FROM emp WHERE id = " + (id + 100) + ")");
        case 7 -> harness.exec("DELETE FROM emp WHERE id = " + id + " OR id = " + (id + 100));
        case 9 -> harness.exec("INSERT INTO doc VALUES (" + id + ", ARRAY['a', " + word(r) + ", 'b" + r.nextInt(3)
            + "'], jsonb_build_object('k" + r.nextInt(3) + "', " + r.nextInt(5) + ", 'z', " + word(r) + ")) ON CONFLICT (id) DO UPDATE SET tags = excluded.tags[1:" + r.nextInt(3) + "]");
        case 10 -> harness.exec("DELETE FROM doc WHERE id % 5 = " + (id % 5));
        default -> harness.exec("INSERT INTO note VALUES (" + value + ", " + word(r) + ")");
      }
      if (r.nextInt(10) == 0) {
        harness.exec("DELETE FROM note WHERE ctid IN (SELECT ctid FROM note LIMIT 2)");
      }
    }
  }

  private static String word(java.util.Random r) {
    return r.nextInt(6) == 0 ? "NULL" : "'w" + r.nextInt(4) + " x'";
  }

  private static String region(java.util.Random r) {
    return r.nextInt(5) == 0 ? "NULL" : r.nextBoolean() ? "'north'" : "'south'";
  }
}

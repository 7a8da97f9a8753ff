package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values that are equal under {@code =} but print differently ({@code numeric} {@code 1.0} and
 * {@code 1.00}, {@code float8} {@code 0} and {@code -0}, {@code numeric[]} {@code {1.0}} and {@code
 * {1.00}}, {@code jsonb} {@code 1.0} and {@code 1.00}) changing from one form to the other, with
 * duplicates and NULLs, under each way the stream table's rows are matched: by key, as a bag through
 * never-NULL columns, and as a bag by the rows' text. After each batch the table holds its query's
 * rows, also compared by their text, so neither a row count nor a printed form drifts.
 */
class EqualButDistinctValuesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE keyed (id int PRIMARY KEY, k int NOT NULL, n numeric, f float8, a numeric[], j jsonb)");
    harness.exec("CREATE TABLE loose (k int, n numeric, f float8, a numeric[], j jsonb)");
    harness.exec("CREATE TABLE modified (k int, m numeric(8,2), c character(3), t timestamp(1))");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  /** Each batch moves values between equal forms, or deletes one duplicate and inserts another. */
  private static final List<String> BATCHES =
      List.of(
          "UPDATE %s SET n = n::numeric(8,2), f = -f, a = a::numeric(8,2)[], j = (n::numeric(8,2))::text::jsonb WHERE k = 1",
          "UPDATE %s SET n = n::numeric(8,1), f = abs(f), a = a::numeric(8,1)[], j = (n::numeric(8,1))::text::jsonb",
          "DELETE FROM %1$s WHERE ctid IN (SELECT ctid FROM %1$s WHERE k = 1 AND n = 1 LIMIT 2);"
              + " INSERT INTO %1$s SELECT %2$sk, 1.00, -0.0, '{1.00}', '1.00' FROM %1$s WHERE k = 1 LIMIT 1",
          "UPDATE %s SET n = n::numeric(8,3), a = NULL, j = NULL WHERE k IN (0, 2)",
          "UPDATE %s SET n = n::numeric(8,1), f = -f, a = ARRAY[n::numeric(8,1)], j = (n::numeric(8,1))::text::jsonb");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT t.id, t.n, t.f, t.a, t.j FROM keyed t",
        "SELECT t.k, t.n, t.f, t.a, t.j FROM keyed t",
        "SELECT t.k, t.n, t.f, t.a, t.j FROM loose t",
        "SELECT a.k, a.n, c.n AS w FROM loose a JOIN loose c ON c.k = a.k AND c.n > a.n",
        "SELECT a.k, a.f, c.a AS w, c.j FROM loose a JOIN loose c ON c.k = a.k AND c.n >= a.n"
      })
  void keepsTheQuerysRowsAndTheirPrintedForms(String query) throws Exception {
    String table = query.contains("keyed") ? "keyed" : "loose";
    harness.exec("DELETE FROM " + table);
    String id = table.equals("keyed") ? "g, " : "";
    harness.exec("INSERT INTO " + table + " SELECT " + id + "g % 3, (g % 4)::numeric(8,1), 0.0, ARRAY[(g % 4)::numeric(8,1)],"
        + " ((g % 4)::numeric(8,1))::text::jsonb FROM generate_series(1, 9) g");
    harness.exec("INSERT INTO " + table + " SELECT " + id.replace("g", "20 + g") + "g % 3, NULL, NULL, NULL, NULL FROM generate_series(1, 2) g");
    if (table.equals("loose")) {
      harness.exec("INSERT INTO loose SELECT k, n, f, a, j FROM loose WHERE k = 1");
    }
    String name = harness.nextName("eq_");
    MaintenancePlan plan = harness.create(name, query);
    for (int batch = 0; batch < BATCHES.size(); batch++) {
      for (String statement : BATCHES.get(batch).formatted(table, id.isEmpty() ? "" : "40 + k, ").split("; ")) {
        harness.exec(statement);
      }
      harness.refresh(plan);
      assertThat(harness.difference(name, query)).as("batch %d of %s", batch, query).isZero();
      assertThat(harness.textDifference(name, query)).as("text, batch %d of %s", batch, query).isZero();
    }
  }

  /**
   * Batches over columns whose type modifier makes equality the identity ({@code numeric(8,2)},
   * {@code character(3)}, {@code timestamp(1)}), grouped by value: values rewritten to themselves
   * through a coarser form (more decimals rounded away, trailing blanks trimmed and padded again,
   * sub-precision seconds), real changes, duplicates and NULLs.
   */
  private static final List<String> MODIFIED_BATCHES =
      List.of(
          "UPDATE modified SET m = m + 0.001, c = rtrim(c), t = t + interval '0.01 second' WHERE k = 1",
          "UPDATE modified SET m = m + 1, c = c || 'x' WHERE k = 2",
          "DELETE FROM modified WHERE ctid IN (SELECT ctid FROM modified WHERE k = 1 LIMIT 1);"
              + " INSERT INTO modified SELECT k, m::numeric(8,3) + 0.004, rtrim(c) || ' ', t FROM modified WHERE k = 1 LIMIT 1",
          "UPDATE modified SET m = NULL, c = NULL WHERE k = 0",
          "UPDATE modified SET m = coalesce(m, 7.5), c = coalesce(c, 'z'), t = t + interval '1 second'");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT t.k, t.m, t.c, t.t FROM modified t",
        "SELECT t.k, sum(t.m) AS total, min(t.c) AS c FROM modified t GROUP BY t.k",
        "SELECT a.k, a.m, b.c FROM modified a JOIN modified b ON b.k = a.k AND b.m >= a.m"
      })
  void groupsModifiedTypesByValueAndKeepsTheirPrintedForms(String query) throws Exception {
    harness.exec("DELETE FROM modified");
    harness.exec("INSERT INTO modified SELECT g % 3, (g % 4) * 1.25, 'v' || (g % 2),"
        + " timestamp '2026-01-01 00:00' + g * interval '1.5 second' FROM generate_series(1, 9) g");
    harness.exec("INSERT INTO modified SELECT k, m, c, t FROM modified WHERE k = 1");
    harness.exec("INSERT INTO modified VALUES (2, NULL, NULL, NULL)");
    String name = harness.nextName("mod_");
    MaintenancePlan plan = harness.create(name, query);
    for (int batch = 0; batch < MODIFIED_BATCHES.size(); batch++) {
      for (String statement : MODIFIED_BATCHES.get(batch).split("; ")) {
        harness.exec(statement);
      }
      harness.refresh(plan);
      assertThat(harness.difference(name, query)).as("batch %d of %s", batch, query).isZero();
      assertThat(harness.textDifference(name, query)).as("text, batch %d of %s", batch, query).isZero();
    }
  }
}

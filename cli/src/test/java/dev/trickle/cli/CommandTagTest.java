package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTagTest {
  @Test
  void countsRowsOfDataChanges() {
    assertThat(CommandTag.of("INSERT INTO t VALUES (1), (2), (3)", 3)).isEqualTo("INSERT 0 3");
    assertThat(CommandTag.of("update t set a = 1", 2)).isEqualTo("UPDATE 2");
    assertThat(CommandTag.of("DELETE FROM t", 0)).isEqualTo("DELETE 0");
    assertThat(CommandTag.of("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", 4))
        .isEqualTo("MERGE 4");
    assertThat(CommandTag.of("SELECT * INTO t2 FROM t", 5)).isEqualTo("SELECT 5");
  }

  @Test
  void findsTheStatementAfterAWithClause() {
    assertThat(
            CommandTag.of(
                "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved", 7))
        .isEqualTo("INSERT 0 7");
    assertThat(CommandTag.of("WITH x AS (SELECT 1) UPDATE t SET a = 2", 1)).isEqualTo("UPDATE 1");
  }

  @Test
  void namesTheObjectKindOfDdl() {
    assertThat(CommandTag.of("CREATE TABLE t (id int)", 0)).isEqualTo("CREATE TABLE");
    assertThat(CommandTag.of("create or replace view v as select 1", 0)).isEqualTo("CREATE VIEW");
    assertThat(CommandTag.of("CREATE UNIQUE INDEX i ON t (id)", 0)).isEqualTo("CREATE INDEX");
    assertThat(CommandTag.of("CREATE TEMP TABLE t (id int)", 0)).isEqualTo("CREATE TABLE");
    assertThat(CommandTag.of("CREATE EXTENSION IF NOT EXISTS pg_trickle", 0))
        .isEqualTo("CREATE EXTENSION");
    assertThat(CommandTag.of("CREATE STREAM TABLE s AS SELECT 1", 0))
        .isEqualTo("CREATE STREAM TABLE");
    assertThat(CommandTag.of("DROP MATERIALIZED VIEW IF EXISTS m", 0))
        .isEqualTo("DROP MATERIALIZED VIEW");
    assertThat(CommandTag.of("CREATE FOREIGN DATA WRAPPER w", 0))
        .isEqualTo("CREATE FOREIGN DATA WRAPPER");
    assertThat(CommandTag.of("CREATE USER alice", 0)).isEqualTo("CREATE USER");
    assertThat(CommandTag.of("ALTER TABLE t ADD COLUMN b int", 0)).isEqualTo("ALTER TABLE");
    assertThat(CommandTag.of("CREATE TABLE t2 AS SELECT * FROM t", 9)).isEqualTo("SELECT 9");
  }

  @Test
  void namesOtherCommandsByTheirKeyword() {
    assertThat(CommandTag.of("  -- set up\n/* note */ SET search_path = app", 0)).isEqualTo("SET");
    assertThat(CommandTag.of("DO $$BEGIN PERFORM 1; END$$", 0)).isEqualTo("DO");
    assertThat(CommandTag.of("begin", 0)).isEqualTo("BEGIN");
    assertThat(CommandTag.of("END", 0)).isEqualTo("COMMIT");
    assertThat(CommandTag.of("TRUNCATE t", 0)).isEqualTo("TRUNCATE TABLE");
    assertThat(CommandTag.of("REFRESH MATERIALIZED VIEW m", 0))
        .isEqualTo("REFRESH MATERIALIZED VIEW");
    assertThat(CommandTag.of("DISCARD ALL", 0)).isEqualTo("DISCARD ALL");
  }
}

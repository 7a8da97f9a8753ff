package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The names that only delta SQL uses: the temporary table of one source's consumed changes, the
 * weight column of delta relations, and column lists qualified by a relation alias. Quoting itself
 * is the SQL vocabulary's ({@link Sql}).
 */
public final class DeltaNames {
  private DeltaNames() {}

  /** {@code prefix."name"} for each name, comma-separated. */
  public static String columnList(String prefix, List<String> names) {
    return names.stream()
        .map(n -> prefix + "." + Sql.identifier(n))
        .collect(Collectors.joining(", "));
  }

  /** The temporary table holding one source's consumed changes during a refresh. */
  public static String deltaTable(long sourceOid) {
    return "pg_temp." + Sql.identifier("__pgt_delta_" + sourceOid);
  }

  /** The weight column of delta relations: +n for insertions, -n for deletions. */
  public static final String WEIGHT = Sql.identifier("__pgt_w");
}

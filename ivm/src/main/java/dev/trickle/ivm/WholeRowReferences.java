package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import dev.trickle.sql.Sql;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.PlainSelect;

/**
 * Refuses a query block that reads one of its FROM items as a whole row ({@code row_to_json(t)},
 * {@code t::text}, {@code t} as a value): a delta term reads each input through a work table or a
 * projection of it, whose row is not the relation's (it carries the change's weight, and only the
 * columns the term names), so the whole row of a delta would not be the row the query sees.
 * PostgreSQL reads a bare name as a column when some FROM item has a column of that name, and as a
 * whole-row reference otherwise; this check follows the same rule. A {@code t.*} in the select list
 * is expanded to the columns and is fine; inside an expression ({@code row_to_json(t.*)}) it is a
 * whole row too ({@link ConstructFinder}).
 */
final class WholeRowReferences {
  private WholeRowReferences() {}

  /** Throws when {@code plain} uses one of {@code inputs} as a whole row. */
  static void refuse(PlainSelect plain, List<Input> inputs, CatalogLookup catalog, String query)
      throws UnsupportedQueryException {
    Set<String> columns = new HashSet<>();
    Set<String> aliases = new HashSet<>();
    Set<String> declarers = new HashSet<>(Set.of("as"));
    for (Input input : inputs) {
      aliases.add(input.alias());
      if (input.relation() != null) {
        declarers.add(input.relation().name());
      }
      if (input.derived() != null) {
        columns.addAll(input.derived().columns());
      } else if (input.relation() != null) {
        input.relation().columns().forEach(c -> columns.add(c.name()));
      }
    }
    String[] found = new String[1];
    BlockColumns.forEach(plain, 0, catalog, (Column column) -> {
      String name = Names.fold(column.getColumnName());
      if (found[0] == null && column.getTable() == null && aliases.contains(name)
          && !columns.contains(name)) {
        found[0] = name;
      }
    });
    if (found[0] != null) {
      throw new UnsupportedQueryException(
          "whole-row reference " + Sql.display(found[0]), query,
          offsetOfBare(query, found[0], declarers));
    }
  }

  /**
   * The offset of the first use of {@code alias} that qualifies nothing and declares nothing (not
   * before a {@code .}, not right after {@code AS} or a relation's name), or -1.
   */
  private static int offsetOfBare(String query, String alias, Set<String> declarers) {
    List<Token> tokens = SqlTokenizer.tokenize(query);
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if ((token.kind() != TokenKind.WORD && token.kind() != TokenKind.QUOTED_IDENTIFIER)
          || !Names.fold(token.text()).equals(alias)) {
        continue;
      }
      boolean qualifies = i + 1 < tokens.size() && tokens.get(i + 1).isPunctuation('.');
      boolean declared = i > 0 && declarers.contains(Names.fold(tokens.get(i - 1).text()));
      if (!qualifies && !declared) {
        return token.start();
      }
    }
    return -1;
  }
}

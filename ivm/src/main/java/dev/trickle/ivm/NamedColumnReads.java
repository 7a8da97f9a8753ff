package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Whether a defining query reads its relations only through the columns it names: then its result
 * depends on each relation only through the multiset of those columns' values, and a change that
 * leaves that multiset as it was (an update of a column the query never reads) changes nothing. The
 * columns it names are the ones PostgreSQL records as the query's column dependencies; what they do
 * not show is a whole-row reference ({@code row_to_json(t)}, {@code t} as a value), a system column
 * ({@code ctid}, {@code xmin}, ...), and columns a plan reads beyond the query's (a {@code LATERAL}
 * subquery's plan keys by its outer table's primary key). A query with any of them is refused.
 *
 * <p>The test is conservative: a relation's name as written (its alias when it has one, else its
 * name) that stands where it qualifies nothing (not before a {@code .}) more often than the query declares it counts as
 * a whole-row reference, so a column or CTE named like a relation answers false too. Text the
 * parser cannot read answers false.
 */
public final class NamedColumnReads {
  private static final Set<String> SYSTEM_COLUMNS =
      Set.of("ctid", "xmin", "xmax", "cmin", "cmax", "tableoid");

  private NamedColumnReads() {}

  /** True when {@code query} reads every relation only through the columns it names. */
  public static boolean only(String query) {
    Map<String, Integer> declared = new HashMap<>();
    try {
      Select select = QueryParser.parseSelect(query);
      new TablesNamesFinder<Void>() {
        @Override
        public <S> Void visit(Table table, S context) {
          String name =
              table.getAlias() != null
                  ? Names.fold(table.getAlias().getName())
                  : Names.fold(table.getName());
          declared.merge(name, 1, Integer::sum);
          return super.visit(table, context);
        }
      }.getTables((net.sf.jsqlparser.statement.Statement) select);
    } catch (QueryException | RuntimeException e) {
      return false;
    }
    Map<String, Integer> bare = new HashMap<>();
    List<Token> tokens = SqlTokenizer.tokenize(query);
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.kind() != TokenKind.WORD && token.kind() != TokenKind.QUOTED_IDENTIFIER) {
        if (token.kind() == TokenKind.UNTERMINATED) {
          return false;
        }
        continue;
      }
      String name = Names.fold(token.text());
      if (token.kind() == TokenKind.WORD && name.equals("lateral")) {
        return false;
      }
      if (SYSTEM_COLUMNS.contains(name)) {
        return false;
      }
      boolean qualifies = i + 1 < tokens.size() && tokens.get(i + 1).isPunctuation('.');
      if (!qualifies && declared.containsKey(name)) {
        bare.merge(name, 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Integer> entry : bare.entrySet()) {
      if (entry.getValue() > declared.get(entry.getKey())) {
        return false;
      }
    }
    return true;
  }
}

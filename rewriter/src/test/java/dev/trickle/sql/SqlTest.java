package dev.trickle.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every spelling {@link Sql} prints is read back by the project's scanner (which follows
 * PostgreSQL's {@code scan.l}) as one token with the original value, over seeded random strings
 * drawn from the characters that break quoting: quotes, backslashes, dollars, the letters of the
 * dollar tag, {@code E}, whitespace, comment starts and non-ASCII letters.
 */
class SqlTest {
  private static final long SEED = 20261206L;
  private static final int CASES = 20_000;
  private static final String ALPHABET = "'\"\\$$pgt1E e\n-/*;xÄ€";

  @Test
  void identifiersReadBackAsTheSameName() {
    Random random = new Random(SEED);
    for (int i = 0; i < CASES; i++) {
      String name = randomText(random);
      if (name.isEmpty()) {
        continue;
      }
      Token token = onlyToken(Sql.identifier(name));
      assertThat(token.kind()).as(name).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
      assertThat(token.identifier()).as(name).isEqualTo(name);
    }
  }

  @Test
  void qualifiedNamesReadBackAsSchemaDotName() {
    Random random = new Random(SEED + 1);
    for (int i = 0; i < CASES; i++) {
      String schema = "s" + randomText(random);
      String name = "n" + randomText(random);
      List<Token> tokens = SqlTokenizer.tokenize(Sql.qualified(schema, name));
      assertThat(tokens).as(schema + "." + name).hasSize(3);
      assertThat(tokens.get(0).identifier()).isEqualTo(schema);
      assertThat(tokens.get(1).isPunctuation('.')).isTrue();
      assertThat(tokens.get(2).identifier()).isEqualTo(name);
    }
    assertThat(Sql.qualified(null, "t")).isEqualTo("\"t\"");
  }

  @Test
  void literalsReadBackAsTheSameValue() {
    Random random = new Random(SEED + 2);
    for (int i = 0; i < CASES; i++) {
      String value = randomText(random);
      String literal = Sql.literal(value);
      Token token = onlyToken(literal);
      assertThat(token.kind())
          .as(value)
          .isEqualTo(value.indexOf('\\') < 0 ? TokenKind.STRING : TokenKind.ESCAPE_STRING);
      assertThat(token.stringValue()).as(value).isEqualTo(value);
    }
  }

  @Test
  void aLiteralWithABackslashMeansTheSameWhateverStandardConformingStringsIs() {
    // E'...' reads backslashes as escapes under both settings; a plain '...' only under off.
    assertThat(Sql.literal("a\\b")).isEqualTo("E'a\\\\b'");
    assertThat(Sql.literal("it's")).isEqualTo("'it''s'");
    assertThat(Sql.literal("\\'")).isEqualTo("E'\\\\'''");
    assertThat(Sql.literal(null)).isEqualTo("NULL");
  }

  @Test
  void dollarQuotedBodiesReadBackVerbatim() {
    Random random = new Random(SEED + 3);
    for (int i = 0; i < CASES; i++) {
      String body = randomText(random);
      Token token = onlyToken(Sql.dollarQuoted(body));
      assertThat(token.kind()).as(body).isEqualTo(TokenKind.DOLLAR_STRING);
      assertThat(token.stringValue()).as(body).isEqualTo(body);
    }
  }

  @Test
  void theDollarTagCannotBeCompletedByTheBodysEnd() {
    for (String body : List.of("x$pgt", "$pgt$", "a$pgt$b$pgt1$c$pgt", "$pgt1", "$")) {
      Token token = onlyToken(Sql.dollarQuoted(body));
      assertThat(token.stringValue()).as(body).isEqualTo(body);
    }
    assertThat(Sql.dollarQuoted("x$pgt")).isEqualTo("$pgt1$x$pgt$pgt1$");
  }

  @Test
  void displayNamesQuoteOnlyWhereNeeded() {
    assertThat(Sql.display("public", "orders")).isEqualTo("public.orders");
    assertThat(Sql.display("My Schema", "t$1")).isEqualTo("\"My Schema\".\"t$1\"");
    assertThat(Sql.display("Orders")).isEqualTo("\"Orders\"");
    assertThat(Sql.display("1x")).isEqualTo("\"1x\"");
    assertThat(Sql.display("select")).isEqualTo("\"select\"");
    Random random = new Random(SEED + 4);
    for (int i = 0; i < CASES; i++) {
      String name = "a" + randomText(random);
      Token token = onlyToken(Sql.display(name));
      assertThat(token.identifier()).as(name).isEqualTo(name);
    }
  }

  @Test
  void identifierListsAreQuotedAndCommaSeparated() {
    assertThat(Sql.identifiers(List.of("a", "B\"c"))).isEqualTo("\"a\", \"B\"\"c\"");
  }

  private static Token onlyToken(String sql) {
    List<Token> tokens = SqlTokenizer.tokenize(sql);
    assertThat(tokens).as(sql).hasSize(1);
    return tokens.get(0);
  }

  private static String randomText(Random random) {
    int length = random.nextInt(12);
    StringBuilder text = new StringBuilder(length);
    for (int k = 0; k < length; k++) {
      text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return text.toString();
  }
}

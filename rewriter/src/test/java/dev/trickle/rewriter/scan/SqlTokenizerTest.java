package dev.trickle.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTokenizerTest {

  private static List<Token> tokens(String sql) {
    return SqlTokenizer.tokenize(sql);
  }

  @Test
  void splitsAFunctionCall() {
    assertThat(tokens("SELECT pgtrickle.f(name => 'x', $$q$$, ?::text, -1.5e3);"))
        .extracting(Token::kind, Token::text)
        .containsExactly(
            tuple(TokenKind.WORD, "SELECT"),
            tuple(TokenKind.WORD, "pgtrickle"),
            tuple(TokenKind.PUNCTUATION, "."),
            tuple(TokenKind.WORD, "f"),
            tuple(TokenKind.PUNCTUATION, "("),
            tuple(TokenKind.WORD, "name"),
            tuple(TokenKind.OPERATOR, "=>"),
            tuple(TokenKind.STRING, "'x'"),
            tuple(TokenKind.PUNCTUATION, ","),
            tuple(TokenKind.DOLLAR_STRING, "$$q$$"),
            tuple(TokenKind.PUNCTUATION, ","),
            tuple(TokenKind.PLACEHOLDER, "?"),
            tuple(TokenKind.OPERATOR, "::"),
            tuple(TokenKind.WORD, "text"),
            tuple(TokenKind.PUNCTUATION, ","),
            tuple(TokenKind.OPERATOR, "-"),
            tuple(TokenKind.NUMBER, "1.5e3"),
            tuple(TokenKind.PUNCTUATION, ")"),
            tuple(TokenKind.PUNCTUATION, ";"));
  }

  @Test
  void recordsPositions() {
    assertThat(tokens("  a /* c */ 'b'"))
        .extracting(Token::start, Token::end)
        .containsExactly(tuple(2, 3), tuple(12, 15));
  }

  @Test
  void skipsCommentsIncludingNestedOnes() {
    assertThat(tokens("a -- x\n/* /* y */ z */ b /* unterminated"))
        .extracting(Token::text)
        .containsExactly("a", "b");
  }

  @Test
  void readsEscapeStringsOnlyAfterALoneE() {
    assertThat(tokens("E'a\\'b' e'c' xe'd'"))
        .extracting(Token::kind, Token::text)
        .containsExactly(
            tuple(TokenKind.ESCAPE_STRING, "E'a\\'b'"),
            tuple(TokenKind.ESCAPE_STRING, "e'c'"),
            tuple(TokenKind.WORD, "xe"),
            tuple(TokenKind.STRING, "'d'"));
  }

  @Test
  void distinguishesParametersFromDollarQuotes() {
    assertThat(tokens("$1 $tag$ x $$ y $tag$ $ a$b"))
        .extracting(Token::kind, Token::text)
        .containsExactly(
            tuple(TokenKind.PARAMETER, "$1"),
            tuple(TokenKind.DOLLAR_STRING, "$tag$ x $$ y $tag$"),
            tuple(TokenKind.PUNCTUATION, "$"),
            tuple(TokenKind.WORD, "a$b"));
  }

  @Test
  void marksUnterminatedConstructs() {
    assertThat(tokens("f('abc")).extracting(Token::kind).last().isEqualTo(TokenKind.UNTERMINATED);
    assertThat(tokens("f($$abc")).extracting(Token::text).last().isEqualTo("$$abc");
    assertThat(tokens("\"abc")).extracting(Token::kind).containsExactly(TokenKind.UNTERMINATED);
    assertThat(tokens("E'abc\\'")).extracting(Token::kind).containsExactly(TokenKind.UNTERMINATED);
  }

  @Test
  void readsOperatorsAsPostgreSqlDoes() {
    assertThat(tokens("a=>b :=c ::d ||e =-1 *-- comment\n <>/*c*/f @-g"))
        .extracting(Token::text)
        .containsExactly(
            "a", "=>", "b", ":=", "c", "::", "d", "||", "e", "=", "-", "1", "*", "<>", "f", "@-",
            "g");
  }

  @Test
  void keepsPlaceholdersApartFromOperators() {
    assertThat(tokens("a=?")).extracting(Token::text).containsExactly("a", "=", "?");
  }

  @Test
  void readsNumbers() {
    assertThat(tokens("1 1.5 .5 1e10 2E-3 1_000 1.. 0x1F"))
        .extracting(Token::kind, Token::text)
        .containsExactly(
            tuple(TokenKind.NUMBER, "1"),
            tuple(TokenKind.NUMBER, "1.5"),
            tuple(TokenKind.NUMBER, ".5"),
            tuple(TokenKind.NUMBER, "1e10"),
            tuple(TokenKind.NUMBER, "2E-3"),
            tuple(TokenKind.NUMBER, "1_000"),
            tuple(TokenKind.NUMBER, "1"),
            tuple(TokenKind.PUNCTUATION, "."),
            tuple(TokenKind.PUNCTUATION, "."),
            tuple(TokenKind.NUMBER, "0x1F"));
  }

  @Test
  void decodesStringValues() {
    assertThat(tokens("'it''s'").get(0).stringValue()).isEqualTo("it's");
    assertThat(tokens("$$a'b$$").get(0).stringValue()).isEqualTo("a'b");
    assertThat(tokens("$q$a$$b$q$").get(0).stringValue()).isEqualTo("a$$b");
    assertThat(tokens("''").get(0).stringValue()).isEmpty();
    assertThat(tokens("$$$$").get(0).stringValue()).isEmpty();
  }

  @Test
  void decodesEscapeStrings() {
    assertThat(tokens("E'a\\tb\\nc\\\\d\\'e''f\\qg'").get(0).stringValue())
        .isEqualTo("a\tb\nc\\d'e'fqg");
    assertThat(tokens("E'\\101\\x42\\u0043\\U00000044\\b\\f\\r'").get(0).stringValue())
        .isEqualTo("ABCD\b\f\r");
    assertThat(tokens("E'\\xC3\\xA9t\\303\\251'").get(0).stringValue()).isEqualTo("été");
    assertThat(tokens("E'\\xg \\u12 \\U00110000'").get(0).stringValue())
        .isEqualTo("xg \\u12 \\U00110000");
    assertThat(tokens("E'\\U0001F600'").get(0).stringValue()).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void decodesIdentifiers() {
    assertThat(tokens("MixedCase").get(0).identifier()).isEqualTo("mixedcase");
    assertThat(tokens("ÜnïCODE").get(0).identifier()).isEqualTo("Ünïcode");
    assertThat(tokens("\"My \"\"Odd\"\" Name\"").get(0).identifier()).isEqualTo("My \"Odd\" Name");
  }

  @Test
  void comparesKeywordsIgnoringAsciiCase() {
    Token select = tokens("SeLeCt").get(0);
    assertThat(select.isWord("select")).isTrue();
    assertThat(select.isWord("selec")).isFalse();
    assertThat(tokens("\"select\"").get(0).isWord("select")).isFalse();
  }

  @Test
  void cursorEndsWithNull() {
    SqlTokenizer tokenizer = new SqlTokenizer("a -- b");
    assertThat(tokenizer.next()).isEqualTo(TokenKind.WORD);
    assertThat(tokenizer.next()).isNull();
    assertThat(tokenizer.next()).isNull();
    assertThat(tokens("")).isEmpty();
  }
}

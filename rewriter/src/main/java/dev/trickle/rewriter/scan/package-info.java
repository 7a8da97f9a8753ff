/**
 * Lexical handling of SQL text by PostgreSQL's rules: the allocation-free {@link
 * dev.trickle.rewriter.scan.StatementScanner} that decides on every statement whether it can
 * concern Trickle, the {@link dev.trickle.rewriter.scan.StatementSplitter} that cuts scripts into
 * statements, and the {@link dev.trickle.rewriter.scan.SqlTokenizer} the command recognizer reads.
 * All three share the rules of {@code SqlLexer}, so they agree on what is a string, a quoted
 * identifier, a comment or a dollar quote.
 */
package dev.trickle.rewriter.scan;

/**
 * Parsing of defining queries (one JSqlParser facade) and the catalog view the compiler resolves
 * names against.
 */
package dev.trickle.rewriter.parse;

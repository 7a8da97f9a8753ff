/**
 * Cheap, quote-, comment- and dollar-quote-aware text scanning: deciding whether a statement can
 * concern Trickle at all, and splitting scripts into statements.
 */
package dev.trickle.rewriter.scan;

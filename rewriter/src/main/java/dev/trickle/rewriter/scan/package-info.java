/** Cheap, allocation-light scanning of SQL text: statement splitting and classification. */
package dev.trickle.rewriter.scan;

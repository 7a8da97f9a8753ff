/**
 * The delta compiler: turns a defining query into the SQL that maintains its stream table from
 * the changes of its sources (signed multisets, DBSP-style rules), and the storage it needs.
 */
package dev.trickle.ivm;

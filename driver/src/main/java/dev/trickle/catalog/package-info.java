/**
 * The Trickle catalog in PostgreSQL: installing and upgrading it ({@code CREATE EXTENSION
 * pg_trickle}), reading and writing its rows, and the small pieces every database-facing package
 * shares: the SQLState vocabulary, identifier quoting and the advisory-lock key scheme.
 */
package dev.trickle.catalog;

/**
 * The Trickle catalog in PostgreSQL: installing and upgrading it ({@code CREATE EXTENSION
 * pg_trickle}), reading and writing its rows, and the small pieces every database-facing package
 * shares: the SQLState vocabulary, identifier quoting, the catalog lock and the scheduler
 * leadership.
 */
package dev.trickle.catalog;

/**
 * The stream-table API commands and their recognizer: {@link
 * dev.trickle.rewriter.command.CommandRecognizer} turns the pg_trickle function-call spelling
 * ({@code SELECT pgtrickle.create_stream_table(...)}) and Trickle's DDL spelling ({@code CREATE
 * STREAM TABLE ...}, {@code CREATE EXTENSION pg_trickle}) into the same {@link
 * dev.trickle.rewriter.command.TrickleCommand} records, so the driver runs one code path for both.
 * {@link dev.trickle.rewriter.command.QualifiedName} reads the relation names users write, and
 * {@link dev.trickle.rewriter.command.RecognitionException} carries refusals with their SQLState.
 */
package dev.trickle.rewriter.command;

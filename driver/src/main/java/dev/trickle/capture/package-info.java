/**
 * Change capture: per source relation a change buffer in {@code pgtrickle_changes}, a generated
 * PL/pgSQL function and statement-level triggers with transition tables that copy every write
 * (from any client, COPY and FK cascades included) into the buffer as signed row images.
 */
package dev.trickle.capture;

/**
 * Refresh: the {@link dev.trickle.refresh.RefreshEngine} runs one refresh of a stream table as
 * one transaction (frontier snapshot, deltas, FULL or DIFFERENTIAL apply, frontier, history), and
 * the seam through which the differential compiler plugs in ({@link
 * dev.trickle.refresh.MaintenanceCompiler}, {@link dev.trickle.refresh.Compilation}, {@link
 * dev.trickle.refresh.DifferentialProgram}).
 */
package dev.trickle.refresh;

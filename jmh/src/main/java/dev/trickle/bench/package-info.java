/**
 * Benchmarks: {@link dev.trickle.bench.LatencyBenchmark} measures the scheduler's change-to-visible
 * latency on the seed's chain and writes docs/benchmarks/latency.md.
 */
package dev.trickle.bench;

/**
 * JMH benchmarks of what Trickle adds to an application's statements: the driver's pass-through
 * overhead against plain PgJDBC ({@code PassThroughBenchmark}), the scanner's time per statement
 * ({@code ScannerBenchmark}), and {@code BenchmarkReport}, which runs them and writes {@code
 * docs/benchmarks/pass-through.md}.
 */
package dev.trickle.bench;

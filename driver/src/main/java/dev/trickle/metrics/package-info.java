/**
 * Micrometer metrics of the stream tables of one database, read from the Trickle catalog ({@link
 * dev.trickle.metrics.TrickleMetrics}). Micrometer is an optional dependency of the driver: only
 * this package refers to it, and nothing else in the driver loads this package, so an application
 * without Micrometer never loads a class of it.
 */
package dev.trickle.metrics;

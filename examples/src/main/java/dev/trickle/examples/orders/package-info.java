/**
 * A Spring Boot service on Trickle: Flyway migrations create the stream tables, a JPA entity reads
 * one of them ({@link dev.trickle.examples.orders.CustomerTotal}), maintained in the same
 * transaction as the repository's saves, and Actuator reports their health and metrics.
 */
package dev.trickle.examples.orders;

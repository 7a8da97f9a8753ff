/**
 * Spring Boot auto-configuration for Trickle: a {@code jdbc:trickle:} {@code spring.datasource.url}
 * works without naming the driver class, {@code trickle.*} application properties become the
 * driver's connection properties, an Actuator health indicator and Micrometer metrics report the
 * stream tables, and the refresh scheduler stops with the application context.
 */
package dev.trickle.spring;

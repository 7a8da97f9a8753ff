/**
 * Plain JDBC on Trickle, as the README shows it: a connection from {@code DriverManager} that
 * creates a stream table, and a HikariCP pool on the same URL ({@link
 * dev.trickle.examples.jdbc.SalesByRegion}).
 */
package dev.trickle.examples.jdbc;

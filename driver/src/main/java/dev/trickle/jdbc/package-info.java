/** The JDBC face of Trickle: the driver, the data source, the connection properties and the wrappers. */
package dev.trickle.jdbc;

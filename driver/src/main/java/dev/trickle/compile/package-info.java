/** The driver side of compiling defining queries: the JDBC catalog lookup and plan execution. */
package dev.trickle.compile;

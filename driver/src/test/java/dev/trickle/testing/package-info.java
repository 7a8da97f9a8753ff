/** The test fixture: one PostgreSQL per test JVM and a fresh database per test class. */
package dev.trickle.testing;

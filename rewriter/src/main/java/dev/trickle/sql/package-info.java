/**
 * The SQL vocabulary: how names and values become SQL text. It is the lowest package of the
 * project (it depends on nothing else in Trickle), so every module that prints SQL, the compiler,
 * the trigger programs and the driver, quotes through the same class, {@link dev.trickle.sql.Sql}.
 */
package dev.trickle.sql;

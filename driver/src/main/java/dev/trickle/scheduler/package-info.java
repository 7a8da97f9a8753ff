/**
 * The background refresh scheduler: keeps every stream table within its schedule, in dependency
 * order, with no code in the application.
 *
 * <p>{@link dev.trickle.scheduler.Schedulers} keeps one {@link
 * dev.trickle.scheduler.RefreshScheduler} per JVM and database, started by the driver when it
 * connects to a database whose catalog is installed. Schedulers of all JVMs elect one leader per
 * database through a catalog row naming the leader's backend; the leader listens for the capture
 * triggers' notifications, plans each pass with {@link dev.trickle.scheduler.RefreshPlanner} over
 * the {@link dev.trickle.scheduler.RefreshGraph} of stream tables (diamond groups contracted into
 * units that refresh in one transaction), and runs the plan through the refresh engine, serially or
 * in parallel. State it must not lose lives in the catalog; what it keeps in memory (pacing and
 * back-off) a new leader rebuilds.
 */
package dev.trickle.scheduler;

package dev.trickle.rewriter.parse;

/**
 * One column of a {@link Relation}.
 *
 * @param type the SQL type as {@code format_type} renders it (e.g. {@code numeric(10,2)})
 * @param notNull whether a NOT NULL constraint holds
 */
public record RelationColumn(String name, String type, boolean notNull) {}

package dev.trickle.catalog;

/**
 * A column of a relation.
 *
 * @param name the column name as stored (case preserved)
 * @param type the type as {@code format_type} prints it, typmod included ({@code numeric(10,2)})
 */
public record Column(String name, String type) {}

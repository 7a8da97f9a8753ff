package dev.trickle.catalog;

/**
 * How a stream table is maintained. {@code AUTO} is only ever requested: it becomes {@code
 * DIFFERENTIAL} when the query allows and {@code FULL} otherwise.
 */
public enum RefreshMode {
  AUTO,
  DIFFERENTIAL,
  FULL,
  IMMEDIATE
}

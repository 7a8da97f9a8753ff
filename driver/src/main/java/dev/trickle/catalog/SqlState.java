package dev.trickle.catalog;

import java.sql.SQLException;

/**
 * The SQLStates Trickle uses for errors it reports to users (DESIGN principle 9). Every refusal is
 * a plain {@link SQLException} carrying one of these codes and a message that names the object and
 * says what to do.
 */
public enum SqlState {
  /** 0A000: the construct, mode or setting is not supported. */
  UNSUPPORTED("0A000"),
  /** 42P01: the named object does not exist. */
  UNDEFINED_OBJECT("42P01"),
  /** 42P07: an object of that name already exists. */
  DUPLICATE_OBJECT("42P07"),
  /** 22023: an argument value is invalid. */
  INVALID_PARAMETER("22023"),
  /** 3F000: the change would create a dependency cycle between stream tables. */
  DEPENDENCY_CYCLE("3F000"),
  /** 55000: the object is not in a state that allows the operation (for example suspended). */
  OBJECT_STATE("55000"),
  /** 55P03: a lock another session holds was not granted in time. */
  LOCK_NOT_AVAILABLE("55P03"),
  /** 42501: the role lacks a privilege. */
  PRIVILEGE("42501"),
  /** 42601: the text does not parse. */
  SYNTAX("42601"),
  /** 42939: the name is reserved (a schema of Trickle's or of the system). */
  RESERVED_NAME("42939"),
  /** 2BP01: other objects depend on the one to drop (as PostgreSQL's own DROP reports it). */
  DEPENDENT_OBJECTS("2BP01"),
  /**
   * 40001: a concurrent transaction got in the way; running the same work again (in a new
   * transaction) is expected to succeed.
   */
  SERIALIZATION_FAILURE("40001"),
  /** 25P02: the caller's transaction failed; nothing runs until it ends (as PostgreSQL reports). */
  IN_FAILED_TRANSACTION("25P02"),
  /** XX000: an internal error, a defect of Trickle's; the message names what failed. */
  INTERNAL("XX000");

  private final String code;

  SqlState(String code) {
    this.code = code;
  }

  /** The five-character SQLState. */
  public String code() {
    return code;
  }

  /** A new exception with this SQLState. */
  public SQLException exception(String message) {
    return new SQLException(message, code);
  }

  /** A new exception with this SQLState and the error that caused it. */
  public SQLException exception(String message, Throwable cause) {
    return new SQLException(message, code, cause);
  }
}

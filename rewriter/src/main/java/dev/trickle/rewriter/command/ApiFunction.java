package dev.trickle.rewriter.command;

import java.util.List;

/**
 * The lifecycle functions of the pg_trickle API that the driver executes itself, with their
 * parameters in pg_trickle's positional order. Monitoring functions are not here: they are real SQL
 * functions and run on the server.
 */
enum ApiFunction {
  CREATE_STREAM_TABLE("create_stream_table", Parameters.CREATE),
  CREATE_STREAM_TABLE_IF_NOT_EXISTS("create_stream_table_if_not_exists", Parameters.CREATE),
  CREATE_OR_REPLACE_STREAM_TABLE("create_or_replace_stream_table", Parameters.CREATE),
  ALTER_STREAM_TABLE("alter_stream_table", Parameters.ALTER),
  DROP_STREAM_TABLE("drop_stream_table", List.of("name", "cascade")),
  REFRESH_STREAM_TABLE("refresh_stream_table", List.of("name")),
  RESUME_STREAM_TABLE("resume_stream_table", List.of("name"));

  private final String sqlName;
  private final List<String> parameters;

  ApiFunction(String sqlName, List<String> parameters) {
    this.sqlName = sqlName;
    this.parameters = parameters;
  }

  /** The function with this (already folded) name, or null when it is not a lifecycle function. */
  static ApiFunction named(String name) {
    for (ApiFunction function : values()) {
      if (function.sqlName.equals(name)) {
        return function;
      }
    }
    return null;
  }

  /** The schema-qualified name, {@code pgtrickle.create_stream_table}, for messages. */
  String qualifiedName() {
    return "pgtrickle." + sqlName;
  }

  /** The parameter names in positional order. */
  List<String> parameters() {
    return parameters;
  }

  /**
   * Parameter lists shared by several functions, outside the enum so its constants can use them.
   */
  static final class Parameters {
    static final List<String> CREATE =
        List.of(
            "name",
            "query",
            "schedule",
            "refresh_mode",
            "initialize",
            "diamond_consistency",
            "diamond_schedule_policy",
            "cdc_mode");
    static final List<String> ALTER =
        List.of(
            "name",
            "query",
            "schedule",
            "refresh_mode",
            "status",
            "diamond_consistency",
            "diamond_schedule_policy",
            "cdc_mode");

    private Parameters() {}
  }
}

package dev.trickle.rewriter.command;

/**
 * One recognized stream-table API statement, in either of its two spellings (the pg_trickle
 * function-call form or Trickle's DDL form). Both spellings produce the same command, so the
 * driver runs the same code for both.
 */
public sealed interface TrickleCommand
    permits TrickleCommand.CreateExtension,
        TrickleCommand.DropExtension,
        TrickleCommand.CreateStreamTable,
        TrickleCommand.AlterStreamTable,
        TrickleCommand.DropStreamTable,
        TrickleCommand.RefreshStreamTable,
        TrickleCommand.ResumeStreamTable {

  /** How the statement was spelled; decides the shape of the result the driver returns. */
  enum Form {
    /** {@code SELECT pgtrickle.fn(...)}: returns one row with one column named after the function. */
    FUNCTION_CALL,
    /** {@code CREATE STREAM TABLE ...}, {@code CREATE EXTENSION ...}: returns an update count. */
    DDL
  }

  /** What {@link CreateStreamTable} does when the stream table already exists. */
  enum CreateMode {
    CREATE,
    IF_NOT_EXISTS,
    OR_REPLACE
  }

  Form form();

  /** The function name as pg_trickle spells it, used as the result column of the call form. */
  String functionName();

  /** {@code CREATE EXTENSION [IF NOT EXISTS] pg_trickle}. */
  record CreateExtension(boolean ifNotExists) implements TrickleCommand {
    @Override
    public Form form() {
      return Form.DDL;
    }

    @Override
    public String functionName() {
      return "create_extension";
    }
  }

  /** {@code DROP EXTENSION [IF EXISTS] pg_trickle [CASCADE]}. */
  record DropExtension(boolean ifExists, boolean cascade) implements TrickleCommand {
    @Override
    public Form form() {
      return Form.DDL;
    }

    @Override
    public String functionName() {
      return "drop_extension";
    }
  }

  /**
   * {@code create_stream_table}, {@code create_stream_table_if_not_exists},
   * {@code create_or_replace_stream_table}, or {@code CREATE [OR REPLACE] STREAM TABLE [IF NOT
   * EXISTS]}.
   *
   * @param name the stream table name as written by the user (possibly schema-qualified/quoted)
   * @param query the defining query text
   * @param options the other arguments, by lower-case parameter name
   */
  record CreateStreamTable(
      Form form, CreateMode mode, String name, String query, StreamTableOptions options)
      implements TrickleCommand {
    @Override
    public String functionName() {
      return switch (mode) {
        case CREATE -> "create_stream_table";
        case IF_NOT_EXISTS -> "create_stream_table_if_not_exists";
        case OR_REPLACE -> "create_or_replace_stream_table";
      };
    }
  }

  /**
   * {@code alter_stream_table(name, ...)} or {@code ALTER STREAM TABLE name SET (...)}.
   *
   * @param query the new defining query, or null when unchanged
   * @param options options to change; an option absent or mapped to null stays unchanged
   */
  record AlterStreamTable(Form form, String name, String query, StreamTableOptions options)
      implements TrickleCommand {
    @Override
    public String functionName() {
      return "alter_stream_table";
    }
  }

  /** {@code drop_stream_table(name, cascade)} or {@code DROP STREAM TABLE [IF EXISTS] name [CASCADE]}. */
  record DropStreamTable(Form form, String name, boolean ifExists, boolean cascade)
      implements TrickleCommand {
    @Override
    public String functionName() {
      return "drop_stream_table";
    }
  }

  /** {@code refresh_stream_table(name)} or {@code REFRESH STREAM TABLE name}. */
  record RefreshStreamTable(Form form, String name) implements TrickleCommand {
    @Override
    public String functionName() {
      return "refresh_stream_table";
    }
  }

  /** {@code resume_stream_table(name)}. */
  record ResumeStreamTable(Form form, String name) implements TrickleCommand {
    @Override
    public String functionName() {
      return "resume_stream_table";
    }
  }
}

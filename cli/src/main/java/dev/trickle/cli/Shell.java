package dev.trickle.cli;

import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.rewriter.scan.StatementSplitter.Statement;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.Terminal.Signal;
import org.jline.terminal.Terminal.SignalHandler;

/**
 * The interactive loop of {@code trickle shell}: reads lines with JLine (editing, history kept in a
 * file), collects them until a statement ends with a top-level {@code ;}, executes each complete
 * statement through the {@link StatementExecutor} and answers backslash commands ({@code \q},
 * {@code \d}, {@code \d NAME}, {@code \?}). Errors are printed and the loop goes on; Ctrl-C clears
 * the statement being typed or cancels the running one, Ctrl-D quits.
 */
final class Shell {
  /**
   * Appended (after a newline) to the typed text before splitting: it becomes a statement of its
   * own exactly when everything before it ended with a top-level semicolon.
   */
  private static final String PROBE = "\nx";

  private static final String HELP =
      String.join(
          "\n",
          "General",
          "  \\q           quit",
          "  \\?           show this help",
          "Informational",
          "  \\d           list the tables, views and stream tables of the search path",
          "  \\d NAME      describe the columns of table, view or stream table NAME",
          "Statements may span lines and run when they end with ;",
          "Ctrl-C clears the statement being typed or cancels the running one; Ctrl-D quits.");

  private final Terminal terminal;
  private final LineReader reader;
  private final PrintWriter out;
  private final StatementExecutor executor;
  private final RelationDescriber describer;
  private final String prompt;
  private final String continuationPrompt;
  private final StringBuilder pending = new StringBuilder();

  /**
   * A shell on {@code connection}; statements that run long show a progress line watched through
   * connections {@code watcher} opens (none when null).
   */
  Shell(Connection connection, Terminal terminal, Path historyFile, ProgressLine.Watcher watcher)
      throws SQLException {
    this.terminal = terminal;
    this.reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("trickle")
            .variable(LineReader.HISTORY_FILE, historyFile)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
            .build();
    this.out = terminal.writer();
    this.executor =
        watcher == null
            ? new StatementExecutor(connection, out, out)
            : new StatementExecutor(connection, out, out, watcher, ProgressLine.Pacing.SHELL);
    this.describer = new RelationDescriber(connection, out);
    String database = connection.getCatalog();
    this.prompt = database + "=> ";
    this.continuationPrompt = database + "-> ";
  }

  /** Reads and executes until {@code \q} or end of input. */
  void run() throws IOException {
    out.println("trickle shell: end statements with ; type \\? for help, \\q to quit.");
    out.flush();
    try {
      while (true) {
        String line;
        try {
          line = reader.readLine(pending.length() == 0 ? prompt : continuationPrompt);
        } catch (UserInterruptException e) {
          pending.setLength(0);
          continue;
        } catch (EndOfFileException e) {
          return;
        }
        String command = line.strip();
        if (command.startsWith("\\")) {
          if (!metaCommand(command)) {
            return;
          }
        } else {
          pending.append(line).append('\n');
          executeCompleteStatements();
        }
      }
    } finally {
      reader.getHistory().save();
    }
  }

  /** Executes the statements of the pending text that are complete; keeps the rest pending. */
  private void executeCompleteStatements() {
    String text = pending.toString();
    List<Statement> pieces = StatementSplitter.splitWithPositions(text + PROBE);
    if (pieces.isEmpty()) {
      return; // inside an unterminated comment: the probe was swallowed
    }
    Statement open = pieces.get(pieces.size() - 1);
    int openStart = offsetOf(text + PROBE, open.line(), open.column());
    pending.setLength(0);
    if (openStart < text.length()) {
      pending.append(text, openStart, text.length());
    }
    for (Statement statement : pieces.subList(0, pieces.size() - 1)) {
      execute(statement.sql());
    }
  }

  private void execute(String sql) {
    SignalHandler previous = terminal.handle(Signal.INT, signal -> executor.cancelRunning());
    try {
      executor.execute(sql);
    } catch (SQLException e) {
      ServerMessages.error(e).forEach(out::println);
      out.flush();
    } finally {
      terminal.handle(Signal.INT, previous);
    }
  }

  /** Runs a backslash command; false when it asks to quit. */
  private boolean metaCommand(String command) {
    String[] words = command.split("\\s+", 2);
    try {
      switch (words[0]) {
        case "\\q":
          return false;
        case "\\?":
          out.println(HELP);
          break;
        case "\\d":
          if (words.length == 1) {
            describer.listRelations();
          } else {
            describer.describe(words[1]);
          }
          break;
        default:
          out.println("invalid command " + words[0] + ". Try \\? for help.");
      }
    } catch (SQLException e) {
      ServerMessages.error(e).forEach(out::println);
    }
    out.flush();
    return true;
  }

  /** The offset in {@code text} of 1-based {@code line} and {@code column}. */
  private static int offsetOf(String text, int line, int column) {
    int offset = 0;
    for (int l = 1; l < line; l++) {
      offset = text.indexOf('\n', offset) + 1;
    }
    return offset + column - 1;
  }
}

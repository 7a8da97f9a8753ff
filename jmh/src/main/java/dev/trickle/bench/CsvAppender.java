package dev.trickle.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A CSV file written line by line as a benchmark runs, so that a run cut short keeps what it
 * measured: the first line appended replaces any earlier file with the header and that line.
 */
final class CsvAppender {
  private final Path file;
  private final String header;
  private boolean started;

  /**
   * @param file where the CSV goes; its directory is created on the first line
   * @param header the header line, ending in a newline
   */
  CsvAppender(Path file, String header) {
    this.file = file;
    this.header = header;
  }

  /** Appends one line (ending in a newline), writing the header first if this is the first. */
  void append(String line) {
    try {
      if (!started) {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, header, StandardCharsets.UTF_8);
        started = true;
      }
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

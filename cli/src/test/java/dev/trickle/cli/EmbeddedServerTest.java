package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServerTest {
  private static final Pattern STARTED =
      Pattern.compile("embedded PostgreSQL \\d+\\.\\d+ on port \\d+, data in (.+)\n");

  @TempDir Path dir;

  private Path script(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void runsOnATemporaryServerAndRemovesItsData() throws IOException {
    Outcome outcome =
        Outcome.of("run", script("who.sql", "SELECT current_user AS who;").toString());

    assertThat(outcome.status()).isZero();
    assertThat(outcome.out()).contains(" postgres\n(1 row)");
    Matcher started = STARTED.matcher(outcome.err());
    assertThat(started.find()).as(outcome.err()).isTrue();
    assertThat(Path.of(started.group(1))).doesNotExist();
  }

  @Test
  void keepsDataBetweenRunsInTheDataDirectory() throws IOException {
    Path data = dir.resolve("data");
    Outcome first =
        Outcome.of(
            "run",
            script(
                    "create.sql",
                    "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here');")
                .toString(),
            "--data-dir",
            data.toString());
    Outcome second =
        Outcome.of(
            "run",
            script("read.sql", "SELECT v FROM kept;").toString(),
            "--data-dir",
            data.toString());

    assertThat(first.status()).isZero();
    assertThat(first.err()).endsWith("data in " + data.toAbsolutePath() + "\n");
    assertThat(second.status()).isZero();
    assertThat(second.out()).contains(" still here\n(1 row)");
  }

  @Test
  void refusesADataDirectoryWithAUrl() throws IOException {
    Outcome outcome =
        Outcome.of(
            "run",
            script("x.sql", "SELECT 1;").toString(),
            "--url",
            "jdbc:postgresql://db/app",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.err()).startsWith("ERROR: --data-dir applies to the embedded server only");
  }
}

package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing the IMMEDIATE report again keeps what was written by hand after the generated part. */
class ImmediateReportTest {
  @TempDir Path dir;

  @Test
  void theHandWrittenPartOfTheReportAlreadyThereFollowsTheNewGeneratedPart() throws Exception {
    Path out = dir.resolve("immediate.md");
    Files.writeString(out, "# old generated\n\nold table\n\n" + ImmediateReport.HAND_WRITTEN
        + "\n\nanalysis\n");
    assertThat(ImmediateReport.withHandWritten(out, "# new generated\n"))
        .isEqualTo("# new generated\n\n" + ImmediateReport.HAND_WRITTEN + "\n\nanalysis\n");
  }

  @Test
  void aReportWithoutAHandWrittenPartOrNoReportIsJustTheGeneratedPart() throws Exception {
    Path out = dir.resolve("immediate.md");
    assertThat(ImmediateReport.withHandWritten(out, "# new\n")).isEqualTo("# new\n");
    Files.writeString(out, "# old\n");
    assertThat(ImmediateReport.withHandWritten(out, "# new\n")).isEqualTo("# new\n");
  }
}

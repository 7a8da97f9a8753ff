package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeedupChartTest {
  @Test
  void drawsSpeedUpsBelowAndAboveOneOnTheLogAxis(@TempDir Path dir) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Path png = dir.resolve("chart.png");
    new SpeedupChart(List.of(
            measurement(BenchmarkQuery.SCAN, 10_000, 30.0, 9.0),
            measurement(BenchmarkQuery.SCAN, 1_000_000, 30.0, 3000.0),
            measurement(BenchmarkQuery.TOPK, 10_000, 10.0, 3.0)))
        .write(png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1200);
    assertThat(image.getHeight()).isEqualTo(700);
  }

  @Test
  void writesNothingWithoutATenRowChange(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("chart.png");
    new SpeedupChart(List.of()).write(png);
    assertThat(png).doesNotExist();
  }

  private static RefreshMeasurement measurement(BenchmarkQuery query, int rows, double differential, double matview) {
    return new RefreshMeasurement(query, rows, ChangeSize.parse("10"), 10, List.of(differential), List.of(matview),
        List.of(matview), List.of(), List.of(new RefreshRecord("DIFFERENTIAL", "COMPLETED", null, 1, 1, 1.0)), false, 0,
        List.of());
  }
}

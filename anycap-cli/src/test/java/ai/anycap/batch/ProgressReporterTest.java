package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobPosition;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.SkipReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

  @Test
  void inFlightIsThePipelinesOwnCount_notStartsMinusEnds() {
    StringWriter err = new StringWriter();
    Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(err), false);
    try (ProgressReporter progress = new ProgressReporter(console, false, 2)) {
      progress.inFlightFrom(() -> 2);
      progress.onBatchStarted(OptionalLong.of(10));
      // Jobs that started and then were not run (cancelled while waiting for the pace): a count of
      // starts and ends would say 10 are in flight at a concurrency of 2.
      for (int i = 0; i < 10; i++) {
        ImageJob job = ImageJob.builder().id("j" + i).prompt("p").outputKey("j" + i + ".png").build();
        progress.onJobStarted(job);
        progress.onJobFinished(new JobResult.Skipped(job.id(), new JobPosition("test", i + 1), SkipReason.CANCELLED,
            "not started: the run was cancelled"));
      }
    }
    List<Integer> shown = new ArrayList<>();
    Matcher m = Pattern.compile("\\(in flight (\\d+)\\)").matcher(err.toString());
    while (m.find()) {
      shown.add(Integer.parseInt(m.group(1)));
    }
    assertThat(shown).hasSizeGreaterThanOrEqualTo(10).containsOnly(2);
    assertThat(err.toString()).contains("progress 10/10 (100%): 0 ok, 0 failed, 10 skipped");
  }

  @Test
  void aPauseBeforeAnyPaceIsLearned_saysPausing_notAnInfiniteRate() {
    StringWriter err = new StringWriter();
    Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(err), false);
    try (ProgressReporter progress = new ProgressReporter(console, false, 8)) {
      progress.onBatchStarted(OptionalLong.of(20));
      progress.onPaceChanged(new RequestPace(Double.POSITIVE_INFINITY, Duration.ofSeconds(1)));
      progress.onPaceChanged(new RequestPace(6.0, Duration.ofSeconds(1)));
      progress.onPaceChanged(new RequestPace(4.5, Duration.ZERO));
    }
    assertThat(err.toString()).doesNotContain("Infinity").doesNotContain("NaN")
        .contains("slowing down: the API is rate limiting, pausing 1.0s\n".translateEscapes())
        .contains("slowing down: the API is rate limiting, now 6.0 requests/s, pausing 1.0s")
        .contains("slowing down: the API is rate limiting, now 4.5 requests/s\n".translateEscapes());
  }
}

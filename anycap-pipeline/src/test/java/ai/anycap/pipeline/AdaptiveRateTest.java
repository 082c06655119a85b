package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adaptive rate control against a rate-limited simulator, judged by the simulator's counters: the
 * share of generate requests it refused, and how many requests the same images took. The same
 * batch runs once with adaptive control and
 * once at a fixed concurrency, under the same retry policy. (Exact goodput figures on virtual
 * time are in {@code RequestPacerTest}; anycap-bench measures them in real time.)
 */
class AdaptiveRateTest {

  private static final int JOBS = 120;

  @TempDir Path dir;

  private final List<RequestPace> paces = new CopyOnWriteArrayList<>();

  private record Run(BatchReport report, SimulatorCounters counters, RequestPace finalPace) {
    double limitedShare() {
      return (double) counters.requests(SimulatorCounters.GENERATE, 429) / counters.requests(SimulatorCounters.GENERATE);
    }
  }

  private Run run(boolean adaptive) {
    // 20 generates a second, bursts of 5, 429 with a whole-second Retry-After, as most APIs.
    try (AnyCapSimulator sim = AnyCapSimulator.builder().rateLimit(20, 5).latency(Duration.ofMillis(20)).seed(11).start();
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.client())
            .templates(TEMPLATES)
            .outputRoot(dir.resolve(adaptive ? "adaptive" : "fixed"))
            .concurrency(16)
            .adaptiveRate(adaptive)
            .retry(Retry.exponential(30, Duration.ofMillis(100), Duration.ofSeconds(5)))
            .listener(new PipelineListener() {
              @Override
              public void onPaceChanged(RequestPace pace) {
                paces.add(pace);
              }
            })
            .build()) {
      BatchReport report = pipeline.run(JobSource.of(jobs(JOBS)));
      return new Run(report, sim.counters(), pipeline.pace());
    }
  }

  @Test
  void adaptiveControl_fewer429s_andMoreOfTheLimitUsed_thanFixedConcurrency() {
    Run fixed = run(false);
    assertThat(paces).as("a fixed concurrency announces no pace").isEmpty();
    Run adaptive = run(true);

    assertThat(fixed.report().succeeded()).isEqualTo(JOBS);
    assertThat(adaptive.report().succeeded()).isEqualTo(JOBS);
    assertThat(adaptive.limitedShare()).as("429 share, adaptive vs fixed %.3f", fixed.limitedShare())
        .isLessThan(fixed.limitedShare() / 3);
    assertThat(adaptive.counters().requests(SimulatorCounters.GENERATE))
        .as("requests sent for the same images, adaptive vs fixed %d", fixed.counters().requests(SimulatorCounters.GENERATE))
        .isLessThan(fixed.counters().requests(SimulatorCounters.GENERATE));
    // How much of the limit each uses is a matter of wall-clock time, which a short batch on a
    // loaded machine cannot settle (the pace is still being learned when it ends): the goodput of
    // the learned pace is asserted on virtual time (RequestPacerTest, RequestPacerNoiseTest) and
    // measured by the benchmark (docs/benchmarks.md).

    // It paused at the first 429 and has paced its requests since. (How close the pace comes to
    // the server's 20 a second is asserted on virtual time, in RequestPacerTest: this batch ends
    // while the pace is still being verified.)
    assertThat(paces).first().satisfies(p -> assertThat(p.paused()).isTrue());
    assertThat(adaptive.finalPace().limited()).isTrue();
  }

  @Test
  void fixedRateLimit_isTheCeiling_andNo429Comes() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().rateLimit(20, 5).seed(12).start();
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.client())
            .templates(TEMPLATES)
            .outputRoot(dir)
            .concurrency(8)
            .rateLimit(15)
            .build()) {
      assertThat(pipeline.pace().requestsPerSecond()).isEqualTo(15.0);
      BatchReport report = pipeline.run(JobSource.of(jobs(40)));
      assertThat(report.succeeded()).isEqualTo(40);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 429)).isZero();
      assertThat(pipeline.pace().paused()).isFalse();
    }
  }
}

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

/** Against a rate-limited server, adaptive control must waste fewer requests on 429s than fixed concurrency. */
class AdaptiveRateTest {

  private static final int JOBS = 300;

  @TempDir Path dir;

  private record Outcome(BatchReport report, long rejected, long sent, List<Integer> limits) {
    double rejectedShare() {
      return (double) rejected / sent;
    }
  }

  private Outcome run(boolean adaptive, String name) {
    List<Integer> limits = new CopyOnWriteArrayList<>();
    PipelineListener watch =
        new PipelineListener() {
          @Override
          public void onThrottleChanged(int concurrencyLimit, Duration pause) {
            limits.add(concurrencyLimit);
          }
        };
    try (AnyCapSimulator sim =
            AnyCapSimulator.builder().seed(5).latency(Duration.ofMillis(20)).rateLimit(100, 10).start();
        ImagePipeline p =
            ImagePipeline.builder()
                .client(sim.client())
                .templates(TEMPLATES)
                .outputRoot(dir.resolve(name))
                .concurrency(32)
                .adaptiveConcurrency(adaptive)
                .listener(watch)
                .retry(Retry.exponential(30, Duration.ofMillis(10), Duration.ofMillis(200)))
                .build()) {
      BatchReport report = p.run(JobSource.of(jobs(JOBS)));
      SimulatorCounters c = sim.counters();
      return new Outcome(report, c.requests(SimulatorCounters.GENERATE, 429), c.requests(SimulatorCounters.GENERATE), limits);
    }
  }

  @Test
  void adaptiveControl_cutsTheShareOf429s() {
    Outcome fixed = run(false, "fixed");
    Outcome adaptive = run(true, "adaptive");

    System.out.printf("429 share: fixed %.3f (%d/%d, %.1f s), adaptive %.3f (%d/%d, %.1f s)%n",
        fixed.rejectedShare(), fixed.rejected(), fixed.sent(), fixed.report().wallTime().toMillis() / 1000.0,
        adaptive.rejectedShare(), adaptive.rejected(), adaptive.sent(), adaptive.report().wallTime().toMillis() / 1000.0);
    assertThat(fixed.report().succeeded()).isEqualTo(JOBS);
    assertThat(adaptive.report().succeeded()).isEqualTo(JOBS);
    assertThat(fixed.rejected()).as("the server limit binds").isPositive();
    assertThat(adaptive.rejectedShare()).isLessThan(fixed.rejectedShare() / 2);
    assertThat(adaptive.limits()).as("the limit went down, and never above the maximum").isNotEmpty()
        .allMatch(l -> l >= 1 && l <= 32).anyMatch(l -> l < 32);
    assertThat(fixed.limits()).as("fixed concurrency never changes its limit").allMatch(l -> l == 32);
  }
}

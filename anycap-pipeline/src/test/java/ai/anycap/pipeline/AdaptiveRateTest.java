package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What adaptive control does on 429s, checked by counters: the allowed concurrency falls and
 * climbs back, never above the maximum, and a Retry-After pauses every job. (Its effect on goodput
 * is a matter of time, measured by anycap-bench, not asserted here.)
 */
class AdaptiveRateTest {

  @TempDir Path dir;

  private final List<Integer> limits = new CopyOnWriteArrayList<>();
  private final List<Duration> pauses = new CopyOnWriteArrayList<>();

  private final PipelineListener watch =
      new PipelineListener() {
        @Override
        public void onThrottleChanged(int concurrencyLimit, Duration pause) {
          limits.add(concurrencyLimit);
          if (!pause.isZero()) {
            pauses.add(pause);
          }
        }
      };

  private ImagePipeline.Builder pipeline(AnyCapSimulator sim, String name) {
    return ImagePipeline.builder()
        .client(sim.client())
        .templates(TEMPLATES)
        .outputRoot(dir.resolve(name))
        .concurrency(16)
        .listener(watch)
        .retry(Retry.exponential(10, Duration.ofMillis(5), Duration.ofMillis(50)).withMaxRetryAfter(Duration.ofMillis(100)));
  }

  @Test
  void on429_theLimitHalvesOncePerRound_thenClimbsBack_neverAboveTheMaximum() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(5).fault(Fault.rateLimited(Duration.ofSeconds(1)).onNthRequest(20)).start();
        ImagePipeline p = pipeline(sim, "a").build()) {
      BatchReport report = p.run(JobSource.of(jobs(200)));
      assertThat(report.succeeded()).isEqualTo(200);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 429)).isEqualTo(1);
    }
    assertThat(limits).first().isEqualTo(8);
    assertThat(limits).allMatch(l -> l >= 1 && l <= 16);
    assertThat(limits).as("climbs back as requests succeed").contains(9, 10);
    assertThat(pauses).singleElement().satisfies(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(100)).isPositive());
  }

  @Test
  void fixedConcurrency_neverChangesItsLimit() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(5).fault(Fault.rateLimited(Duration.ofSeconds(1)).onNthRequest(5)).start();
        ImagePipeline p = pipeline(sim, "c").adaptiveConcurrency(false).build()) {
      assertThat(p.run(JobSource.of(jobs(50))).succeeded()).isEqualTo(50);
      assertThat(p.concurrency()).isEqualTo(16);
    }
    assertThat(limits).isEmpty();
    assertThat(pauses).isEmpty();
  }
}

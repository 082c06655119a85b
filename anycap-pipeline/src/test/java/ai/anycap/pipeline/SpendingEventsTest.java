package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener events metrics are made of: every generate answer with its credits and dollars,
 * every possibly billed attempt, every job's downloads; their sums equal what the simulator
 * generated, charged and served, and what the report says.
 */
class SpendingEventsTest {

  @TempDir Path dir;

  private final List<GeneratedImages> answers = new CopyOnWriteArrayList<>();
  private final List<BigDecimal> answerUsd = new CopyOnWriteArrayList<>();
  private final List<Duration> latencies = new CopyOnWriteArrayList<>();
  private final List<BigDecimal> possiblyBilledUsd = new CopyOnWriteArrayList<>();
  private final List<Integer> downloads = new CopyOnWriteArrayList<>();

  private final PipelineListener listener = new PipelineListener() {
    @Override
    public void onGenerated(ImageJob job, GeneratedImages answer, BigDecimal usd, Duration latency) {
      answers.add(answer);
      answerUsd.add(usd);
      latencies.add(latency);
    }

    @Override
    public void onPossiblyBilled(ImageJob job, String model, BigDecimal credits, BigDecimal usd) {
      assertThat(model).isEqualTo("nano-banana-2");
      assertThat(credits).isEqualByComparingTo(BigDecimal.ONE);
      possiblyBilledUsd.add(usd);
    }

    @Override
    public void onDownloaded(ImageJob job, int images, Duration latency) {
      downloads.add(images);
      latencies.add(latency);
    }
  };

  @Test
  void answersPossiblyBilledAttemptsAndDownloads_addUpToTheSimulatorsCountersAndTheReport() {
    // The 3rd generate is generated and billed, then its connection reset: possibly billed, sent again.
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(5)
            .fault(Fault.resetConnection().afterGeneration().onNthRequest(3)).start();
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.client())
            .templates(TEMPLATES)
            .outputRoot(dir)
            .concurrency(2)
            .retry(Retry.exponential(3, Duration.ofMillis(10), Duration.ofMillis(20)))
            .listener(listener)
            .build()) {
      BatchReport report = pipeline.run(JobSource.of(jobs(6)));

      SimulatorCounters c = sim.counters();
      assertThat(report.succeeded()).isEqualTo(6);
      assertThat(answers).hasSize(6);
      assertThat(answers.stream().map(GeneratedImages::credits).reduce(BigDecimal.ZERO, BigDecimal::add))
          .isEqualByComparingTo(report.credits())
          .isEqualByComparingTo(BigDecimal.valueOf(c.creditsCharged() - 1));
      assertThat(answerUsd.stream().reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(report.estimatedCostUsd());
      assertThat(possiblyBilledUsd).hasSize(1);
      assertThat(report.possiblyBilled().attempts()).isEqualTo(1);
      assertThat(possiblyBilledUsd.get(0)).isEqualByComparingTo(report.possiblyBilled().usd());
      assertThat(c.imagesGenerated()).isEqualTo(7);
      assertThat(downloads).hasSize(6).allMatch(n -> n == 1);
      assertThat(downloads.stream().mapToLong(Integer::longValue).sum()).isEqualTo(c.requests(SimulatorCounters.DOWNLOAD, 200));
      assertThat(latencies).hasSize(12).allSatisfy(d -> assertThat(d).isPositive());
    }
  }
}

package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.AnyCapSimulatorBuilder;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a progress display needs: every entry counted when a batch stops early, and jobs in flight. */
class RunProgressTest {

  @TempDir Path dir;

  private AnyCapSimulator sim;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private ImagePipelineBuilder pipeline(AnyCapSimulatorBuilder simulator) {
    sim = simulator.seed(5).start();
    return ImagePipeline.builder().client(sim.client()).templates(TEMPLATES).outputRoot(dir.resolve("out"));
  }

  @Test
  void aCancelledBatch_countsEveryEntryItDidNotStart_asCancelled_andSendsNothingForThem() throws Exception {
    int total = 253;
    FinishedCounter listener = new FinishedCounter(20);
    try (ImagePipeline p = pipeline(AnyCapSimulator.builder().latency(Duration.ofMillis(20)))
        .concurrency(2).listener(listener).build()) {
      CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(total)));
      assertThat(listener.started.await(30, TimeUnit.SECONDS)).isTrue();
      running.cancel(true);
      assertThat(listener.finished.await(30, TimeUnit.SECONDS)).isTrue();
    }

    BatchReport report = listener.report;
    assertThat(report.cancelled()).isTrue();
    assertThat(report.total()).isEqualTo(total);
    assertThat(report.skipped(SkipReason.CANCELLED)).isEqualTo(total - report.succeeded() - report.failed())
        .isGreaterThan(total / 2);
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE))
        .as("no request for a job not started").isEqualTo(report.succeeded() + report.failed());
  }

  @Test
  void aClosedPipeline_reportsTheRestOfItsBatchAsCancelled() throws Exception {
    int total = 120;
    FinishedCounter listener = new FinishedCounter(10);
    BatchReport report;
    try (ImagePipeline p = pipeline(AnyCapSimulator.builder().latency(Duration.ofMillis(20)))
        .concurrency(2).listener(listener).build()) {
      CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(total)));
      assertThat(listener.started.await(30, TimeUnit.SECONDS)).isTrue();
      p.close();
      report = running.get(30, TimeUnit.SECONDS);
    }

    assertThat(report.cancelled()).isTrue();
    assertThat(report.total()).isEqualTo(total);
    assertThat(report.skipped(SkipReason.CANCELLED)).isEqualTo(total - report.succeeded()).isPositive();
  }

  @Test
  void aHaltedBatch_countsEveryEntry_asHaltedOnceTheKeyIsRefused() {
    ImagePipelineBuilder b = pipeline(AnyCapSimulator.builder().apiKey("ak_test_right")).concurrency(3);
    BatchReport report;
    try (ImagePipeline p = b.client(sim.clientBuilder().apiKey("ak_test_wrong").build()).build()) {
      report = p.run(JobSource.of(jobs(40)));
    }

    assertThat(report.total()).isEqualTo(40);
    assertThat(report.failed()).isBetween(1L, 3L);
    assertThat(report.skipped(SkipReason.HALTED)).isEqualTo(40 - report.failed());
    assertThat(report.haltReason()).hasValueSatisfying(h -> assertThat(h).contains("401"));
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(report.failed());
  }

  @Test
  void aJobDeliveringItsImage_givesItsCallsPlaceToTheNext_butSlowSinksStillHoldNewCallsBack() throws Exception {
    HeldSink sink = new HeldSink(3);
    try (ImagePipeline p = pipeline(AnyCapSimulator.builder()).concurrency(3).sink(sink).build()) {
      assertThat(p.inFlight()).isZero();
      CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(9)));

      // Three jobs are delivering, under delivery permits; their call permits went to three more,
      // whose generates are answered and who now wait, holding them, for a delivery permit.
      assertThat(sink.threeArrived.await(30, TimeUnit.SECONDS)).isTrue();
      sim.awaitCounters(c -> c.requests(SimulatorCounters.GENERATE) == 6, Duration.ofSeconds(30));
      assertThat(p.inFlight()).isEqualTo(3).isEqualTo(p.concurrency());
      assertThat(sink.arrived.get()).as("deliveries at once").isEqualTo(3);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).as("no call while every call's place waits")
          .isEqualTo(6);

      sink.release.complete(null);
      BatchReport report = running.get(30, TimeUnit.SECONDS);
      assertThat(report.succeeded()).isEqualTo(9);
      assertThat(sink.arrived.get()).isEqualTo(9);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(9);
      assertThat(p.inFlight()).isZero();
      assertThat(p.peakConcurrency()).isEqualTo(3);
    }
  }

  /** Counts finished jobs, and keeps the report of the batch. */
  private static final class FinishedCounter implements PipelineListener {
    final CountDownLatch started;
    final CountDownLatch finished = new CountDownLatch(1);
    volatile BatchReport report;

    FinishedCounter(int jobs) {
      this.started = new CountDownLatch(jobs);
    }

    @Override
    public void onJobFinished(JobResult result) {
      started.countDown();
    }

    @Override
    public void onBatchFinished(BatchReport report) {
      this.report = report;
      finished.countDown();
    }
  }

  /** A sink that holds every delivery until the test releases them all. */
  private static final class HeldSink implements ImageSink {
    final CountDownLatch threeArrived;
    final CompletableFuture<Void> release = new CompletableFuture<>();
    final AtomicInteger arrived = new AtomicInteger();

    HeldSink(int held) {
      this.threeArrived = new CountDownLatch(held);
    }

    @Override
    public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
      arrived.incrementAndGet();
      threeArrived.countDown();
      return release.thenApply(v -> SinkReceipt.of("held", image.file().toString()));
    }
  }
}

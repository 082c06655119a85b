package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.completePng;
import static ai.anycap.pipeline.PipelineFixtures.files;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.AnyCapSimulatorBuilder;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePipelineTest {

  @TempDir Path dir;

  private AnyCapSimulator sim;

  private AnyCapSimulator start(AnyCapSimulatorBuilder builder) {
    sim = builder.seed(42).start();
    return sim;
  }

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private ImagePipelineBuilder pipeline() {
    return ImagePipeline.builder()
        .client(sim.client())
        .templates(TEMPLATES)
        .outputRoot(dir.resolve("out"))
        .retry(Retry.exponential(4, Duration.ofMillis(5), Duration.ofMillis(20)));
  }

  @Test
  void run_generatesEveryJobAndWritesCompleteImages() throws Exception {
    start(AnyCapSimulator.builder());
    PipelineFixtures.RecordingListener listener = new PipelineFixtures.RecordingListener();
    BatchReport report;
    try (ImagePipeline p = pipeline().listener(listener).build()) {
      report = p.run(JobSource.of(jobs(20)));
    }

    assertThat(report.succeeded()).isEqualTo(20);
    assertThat(report.failed()).isZero();
    assertThat(report.allSucceeded()).isTrue();
    assertThat(report.imagesGenerated()).isEqualTo(20);
    assertThat(report.credits()).isEqualByComparingTo("20");
    assertThat(report.estimatedCostUsd()).isEqualByComparingTo("0.100");
    assertThat(files(dir.resolve("out"))).hasSize(20).contains("img-1.png", "img-20.png");
    for (String f : files(dir.resolve("out"))) {
      assertThat(completePng(dir.resolve("out").resolve(f))).as(f).isTrue();
    }
    SimulatorCounters c = sim.counters();
    assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(20);
    assertThat(c.requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(20);
    assertThat(c.duplicateGenerations()).isZero();
    assertThat(c.protocolViolations()).isEmpty();
    assertThat(listener.events).first().isEqualTo("started:20");
    assertThat(listener.events).last().isEqualTo("finished");
    assertThat(listener.results).hasSize(20).allMatch(r -> r instanceof JobResult.Succeeded);
  }

  @Test
  void run_rendersTemplatesWithTheirDefaultModelAndParameters() {
    start(AnyCapSimulator.builder());
    ImageJob job = ImageJob.builder().template("hero_wide").value("subject", "a lighthouse").outputKey("hero.png").build();
    try (ImagePipeline p = pipeline().build()) {
      assertThat(p.run(JobSource.of(List.of(job))).succeeded()).isEqualTo(1);
    }
    ImageRequest expected =
        ImageRequest.builder().model("seedream-5").prompt("Hero image of a lighthouse").param("aspect_ratio", "16:9").build();
    assertThat(sim.counters().timesGenerated(expected)).isEqualTo(1);
  }

  @Test
  void concurrency_boundsTheCallsInFlight_andAsManyDownloads() {
    start(AnyCapSimulator.builder().latency(Duration.ofMillis(30)));
    try (ImagePipeline p = pipeline().concurrency(4).build()) {
      BatchReport report = p.run(JobSource.of(jobs(40)));
      assertThat(report.succeeded()).isEqualTo(40);
      assertThat(p.peakConcurrency()).isLessThanOrEqualTo(4).isGreaterThan(1);
    }
    SimulatorCounters c = sim.counters();
    assertThat(c.peakGeneratesInFlight()).isLessThanOrEqualTo(4).isGreaterThan(1);
    // Four calls, and four jobs downloading the images of calls already answered.
    assertThat(c.peakInFlight()).isLessThanOrEqualTo(8);
  }

  @Test
  void retry_retriesServerErrorsAndRateLimits_honouringACappedRetryAfter() {
    start(
        AnyCapSimulator.builder()
            .fault(Fault.serverError(503).onNthRequest(1))
            .fault(Fault.rateLimited(Duration.ofHours(2)).onNthRequest(2)));
    PipelineFixtures.RecordingListener listener = new PipelineFixtures.RecordingListener();
    Retry retry = Retry.exponential(4, Duration.ofMillis(5), Duration.ofMillis(20)).withMaxRetryAfter(Duration.ofMillis(50));
    try (ImagePipeline p = pipeline().concurrency(1).retry(retry).listener(listener).build()) {
      BatchReport report = p.run(JobSource.of(jobs(1)));
      assertThat(report.succeeded()).isEqualTo(1);
      assertThat(report.retries()).isEqualTo(2);
    }
    assertThat(listener.retryDelays).hasSize(2);
    assertThat(listener.retryDelays.get(1)).as("Retry-After of 2 h capped at 50 ms").isEqualTo(Duration.ofMillis(50));
    assertThat(((JobResult.Succeeded) listener.results.get(0)).attempts()).isEqualTo(3);
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(3);
  }

  @Test
  void retry_waitsAtLeastTheServersRetryAfter() {
    start(AnyCapSimulator.builder().fault(Fault.rateLimited(Duration.ofSeconds(1)).onNthRequest(1)));
    PipelineFixtures.RecordingListener listener = new PipelineFixtures.RecordingListener();
    try (ImagePipeline p = pipeline().concurrency(1).listener(listener).build()) {
      assertThat(p.run(JobSource.of(jobs(1))).succeeded()).isEqualTo(1);
    }
    assertThat(listener.retryDelays).singleElement().isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void retry_neverRepeatsARequestTheServerSaidNotToRepeat() {
    start(AnyCapSimulator.builder().fault(Fault.doNotRetry().onNthRequest(1)));
    try (ImagePipeline p = pipeline().concurrency(1).build()) {
      BatchReport report = p.run(JobSource.of(jobs(2)));
      assertThat(report.failed()).isEqualTo(1);
      assertThat(report.succeeded()).isEqualTo(1);
      assertThat(report.retries()).isZero();
      assertThat(report.failures()).singleElement().satisfies(f -> assertThat(f.attempts()).isEqualTo(1));
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(2);
  }

  @Test
  void download_failureIsRetriedAsADownload_neverByGeneratingAgain() {
    start(AnyCapSimulator.builder().fault(Fault.truncatedDownload().onNthRequest(1)));
    try (ImagePipeline p = pipeline().concurrency(1).build()) {
      BatchReport report = p.run(JobSource.of(jobs(1)));
      assertThat(report.succeeded()).isEqualTo(1);
    }
    SimulatorCounters c = sim.counters();
    assertThat(c.imagesGenerated()).isEqualTo(1);
    assertThat(c.requests(SimulatorCounters.DOWNLOAD)).isEqualTo(2);
  }

  @Test
  void download_thatKeepsFailing_failsTheJobWithItsCreditsCounted_andNoFile() throws Exception {
    start(AnyCapSimulator.builder().fault(Fault.artifactStatus(404)));
    try (ImagePipeline p = pipeline().concurrency(1).build()) {
      BatchReport report = p.run(JobSource.of(jobs(1)));
      assertThat(report.failed()).isEqualTo(1);
      JobResult.Failed f = report.failures().get(0);
      assertThat(f.errorCode()).isEqualTo("DOWNLOAD_HTTP_STATUS");
      assertThat(f.credits()).isEqualByComparingTo(BigDecimal.ONE);
      assertThat(report.credits()).isEqualByComparingTo(BigDecimal.ONE);
    }
    assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
    assertThat(sim.counters().requests(SimulatorCounters.DOWNLOAD)).as("404 is not retried").isEqualTo(1);
    assertThat(files(dir.resolve("out"))).isEmpty();
  }

  @Test
  void duplicates_areGeneratedOnceAndCopied() throws Exception {
    start(AnyCapSimulator.builder());
    List<ImageJob> same = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      same.add(ImageJob.builder().id("dup-" + i).prompt("the same cat").param("aspect_ratio", "1:1")
          .outputKey("cats/cat-" + i + ".png").build());
    }
    BatchReport report;
    try (ImagePipeline p = pipeline().concurrency(4).build()) {
      report = p.run(JobSource.of(same));
    }
    assertThat(report.succeeded()).isEqualTo(10);
    assertThat(report.imagesGenerated()).isEqualTo(1);
    assertThat(report.credits()).isEqualByComparingTo("1");
    assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
    byte[] first = Files.readAllBytes(dir.resolve("out/cats/cat-0.png"));
    for (int i = 1; i < 10; i++) {
      assertThat(Files.readAllBytes(dir.resolve("out/cats/cat-" + i + ".png"))).isEqualTo(first);
    }
  }

  @Test
  void budget_inCredits_stopsStartingJobsOnceReached() {
    start(AnyCapSimulator.builder());
    try (ImagePipeline p = pipeline().concurrency(3).budget(Budget.credits(10)).build()) {
      BatchReport report = p.run(JobSource.of(jobs(30)));
      assertThat(report.succeeded()).isEqualTo(10);
      assertThat(report.skipped(SkipReason.BUDGET)).isEqualTo(20);
      assertThat(report.credits()).isEqualByComparingTo("10");
    }
    assertThat(sim.counters().imagesGenerated()).isEqualTo(10);
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(10);
  }

  @Test
  void budget_inDollars_usesThePriceTable() {
    start(AnyCapSimulator.builder());
    try (ImagePipeline p = pipeline().budget(Budget.dollars("0.05")).build()) {
      BatchReport report = p.run(JobSource.of(jobs(30)));
      assertThat(report.succeeded()).isEqualTo(10);
      assertThat(report.estimatedCostUsd()).isEqualByComparingTo("0.05");
    }
    assertThat(sim.counters().imagesGenerated()).isEqualTo(10);
  }

  @Test
  void budget_inDollars_refusesAModelWithoutAPrice_beforeSpending() {
    start(AnyCapSimulator.builder());
    ImageJob pro = ImageJob.builder().prompt("x").model("nano-banana-pro").outputKey("pro.png").build();
    try (ImagePipeline p = pipeline().budget(Budget.dollars("1")).build()) {
      assertThatThrownBy(() -> p.run(JobSource.of(List.of(pro))))
          .isInstanceOf(BatchValidationException.class)
          .hasMessageContaining("nano-banana-pro")
          .hasMessageContaining("price");
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void unauthorized_stopsTheBatchAtOnce_andReportsTheRestAsNotStarted() {
    start(AnyCapSimulator.builder().apiKey("ak_test_right"));
    ImagePipelineBuilder b = pipeline().client(sim.clientBuilder().apiKey("ak_test_wrong").build()).concurrency(1);
    try (ImagePipeline p = b.build()) {
      BatchReport report = p.run(JobSource.of(jobs(25)));
      assertThat(report.failed()).isEqualTo(1);
      assertThat(report.skipped(SkipReason.HALTED)).isEqualTo(24);
      assertThat(report.haltReason()).hasValueSatisfying(h -> assertThat(h).contains("401"));
      assertThat(report.credits()).isEqualByComparingTo("0");
      assertThat(report.toString()).doesNotContain("ak_test_wrong");
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(1);
  }

  @Test
  void outOfCredit_stopsTheBatch() {
    start(AnyCapSimulator.builder().credits(5));
    // The balance check would refuse this batch before it starts (PreflightTest): a 402 part way
    // is what happens without it, or when the balance runs out under another client's spending.
    try (ImagePipeline p = pipeline().concurrency(1).balanceCheck(false).build()) {
      BatchReport report = p.run(JobSource.of(jobs(20)));
      assertThat(report.succeeded()).isEqualTo(5);
      assertThat(report.failed()).isEqualTo(1);
      assertThat(report.skipped(SkipReason.HALTED)).isEqualTo(14);
      assertThat(report.haltReason()).hasValueSatisfying(h -> assertThat(h).contains("402"));
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(6);
  }

  @Test
  void validation_refusesABadBatchBeforeSpending_namingEachProblem() {
    start(AnyCapSimulator.builder());
    List<ImageJob> jobs = new ArrayList<>(jobs(3));
    jobs.add(ImageJob.builder().id("no-template").template("nope").outputKey("a.png").build());
    jobs.add(ImageJob.builder().id("missing-value").template("product_hero").value("product_name", "x").outputKey("b.png").build());
    jobs.add(ImageJob.builder().id("escape").prompt("x").outputKey("../outside.png").build());
    jobs.add(ImageJob.builder().id("absolute").prompt("x").outputKey("/tmp/abs.png").build());
    jobs.add(ImageJob.builder().id("same-output").prompt("y").outputKey("img-1.png").build());
    jobs.add(ImageJob.builder().id("job-1").prompt("z").outputKey("z.png").build());
    try (ImagePipeline p = pipeline().build()) {
      BatchValidationException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              BatchValidationException.class, () -> p.run(JobSource.of(jobs)));
      assertThat(e.problemCount()).isEqualTo(6);
      assertThat(e.problems())
          .extracting(InvalidJobException::getMessage)
          .anySatisfy(m -> assertThat(m).contains("jobs:4").contains("unknown template 'nope'").contains("product_hero"))
          .anySatisfy(m -> assertThat(m).contains("jobs:5").contains("{color}"))
          .anySatisfy(m -> assertThat(m).contains("jobs:6").contains("'..'"))
          .anySatisfy(m -> assertThat(m).contains("jobs:7").contains("absolute"))
          .anySatisfy(m -> assertThat(m).contains("jobs:8").contains("also the output of jobs:1"))
          .anySatisfy(m -> assertThat(m).contains("jobs:9").contains("duplicate job id 'job-1'"));
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void skipInvalidRows_runsTheGoodJobsAndReportsTheBadOnes() {
    start(AnyCapSimulator.builder());
    List<ImageJob> jobs = new ArrayList<>(jobs(3));
    jobs.add(ImageJob.builder().id("no-template").template("nope").outputKey("a.png").build());
    try (ImagePipeline p = pipeline().skipInvalidRows().build()) {
      BatchReport report = p.run(JobSource.of(jobs));
      assertThat(report.succeeded()).isEqualTo(3);
      assertThat(report.skipped(SkipReason.INVALID)).isEqualTo(1);
    }
  }

  @Test
  void outputs_refuseALinkThatLeavesTheRoot_evenOneMadeAfterTheBatchWasChecked() throws Exception {
    start(AnyCapSimulator.builder());
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Files.createDirectories(dir.resolve("out"));
    ImageJob job = ImageJob.builder().prompt("x").outputKey("link/escaped.png").build();
    // The checking pass refuses a link that is there already (PreflightTest); this one appears
    // between that pass and the job, when the source is read the second time.
    java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
    JobSource source = new JobSource() {
      @Override
      public JobReader open() {
        if (opens.incrementAndGet() == 2) {
          try {
            Files.createSymbolicLink(dir.resolve("out/link"), outside);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return JobSource.of(List.of(job)).open();
      }

      @Override
      public String description() {
        return "jobs";
      }
    };
    try (ImagePipeline p = pipeline().build()) {
      BatchReport report = p.run(source);
      assertThat(report.failed()).isEqualTo(1);
      assertThat(report.failures().get(0).errorCode()).isEqualTo("OUTPUT_FAILED");
      assertThat(report.failures().get(0).message()).contains("link");
    }
    assertThat(files(outside)).isEmpty();
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(0);
  }

  @Test
  void estimate_sendsNothing() {
    start(AnyCapSimulator.builder());
    List<ImageJob> jobs = new ArrayList<>(jobs(4));
    jobs.add(ImageJob.builder().template("hero_wide").value("subject", "s").outputKey("h.png").build());
    try (ImagePipeline p = pipeline().build()) {
      BatchEstimate e = p.estimate(JobSource.of(jobs));
      assertThat(e.jobs()).isEqualTo(5);
      assertThat(e.jobsByModel()).containsEntry("nano-banana-2", 4L).containsEntry("seedream-5", 1L);
      assertThat(e.credits()).isEqualByComparingTo("5");
      assertThat(e.usd()).isEqualByComparingTo("0.035");
      assertThat(e.unpricedModels()).isEmpty();
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void submit_runsOneJob() throws Exception {
    start(AnyCapSimulator.builder());
    try (ImagePipeline p = pipeline().build()) {
      JobResult r = p.submit(jobs(1).get(0)).get(30, TimeUnit.SECONDS);
      assertThat(r).isInstanceOf(JobResult.Succeeded.class);
      assertThat(((JobResult.Succeeded) r).outputs()).singleElement().satisfies(path -> assertThat(path).exists());
      assertThat(p.submit(ImageJob.builder().template("nope").outputKey("x.png").build()))
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableThat()
          .havingCause()
          .isInstanceOf(InvalidJobException.class);
    }
  }

  @Test
  void report_isReadableAndWritesJson() {
    start(AnyCapSimulator.builder().fault(Fault.doNotRetry().onNthRequest(1)));
    try (ImagePipeline p = pipeline().concurrency(1).build()) {
      BatchReport report = p.run(JobSource.of(jobs(3)));
      assertThat(report.toString()).contains("3 jobs, 2 succeeded, 1 failed").contains("FAILED job-1");
      assertThat(report.toJson()).contains("\"succeeded\" : 2").contains("\"failures\"").contains("\"id\" : \"job-1\"");
    }
  }

  @Test
  void aSlowListener_neverStallsTheRequests() throws Exception {
    start(AnyCapSimulator.builder());
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    PipelineListener stuck =
        new PipelineListener() {
          @Override
          public void onJobFinished(JobResult result) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try (ImagePipeline p = pipeline().concurrency(2).listener(stuck).build()) {
      java.util.concurrent.CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(30)));
      sim.awaitCounters(c -> c.requests(SimulatorCounters.DOWNLOAD, 200) == 30, Duration.ofSeconds(30));
      assertThat(running).isNotDone();
      release.countDown();
      assertThat(running.get(30, TimeUnit.SECONDS).succeeded()).isEqualTo(30);
    }
  }

  @Test
  void cancellingTheRun_startsNoFurtherJob() throws Exception {
    start(AnyCapSimulator.builder().latency(Duration.ofMillis(20)));
    java.util.concurrent.CountDownLatch five = new java.util.concurrent.CountDownLatch(5);
    PipelineListener counter =
        new PipelineListener() {
          @Override
          public void onJobFinished(JobResult result) {
            five.countDown();
          }
        };
    try (ImagePipeline p = pipeline().concurrency(2).listener(counter).build()) {
      java.util.concurrent.CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(500)));
      assertThat(five.await(30, TimeUnit.SECONDS)).isTrue();
      running.cancel(true);
      long atCancel = sim.counters().requests(SimulatorCounters.GENERATE);
      // Whatever was in flight (at most 2) may still land; nothing new starts.
      SimulatorCounters settled =
          sim.awaitCounters(c -> c.inFlight() == 0, Duration.ofSeconds(30));
      assertThat(settled.requests(SimulatorCounters.GENERATE)).isLessThanOrEqualTo(atCancel + 2).isLessThan(500);
    }
  }

  @Test
  void closingAfterTheCallerCancelled_returnsOnlyOnceTheListenersHeardTheBatchEnd() throws Exception {
    start(AnyCapSimulator.builder().latency(Duration.ofMillis(20)));
    java.util.concurrent.CountDownLatch five = new java.util.concurrent.CountDownLatch(5);
    java.util.concurrent.atomic.AtomicLong heardJobs = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<BatchReport> heard = new java.util.concurrent.atomic.AtomicReference<>();
    PipelineListener listener =
        new PipelineListener() {
          @Override
          public void onJobFinished(JobResult result) {
            heardJobs.incrementAndGet();
            five.countDown();
          }

          @Override
          public void onBatchFinished(BatchReport report) {
            heard.set(report);
          }
        };
    ImagePipeline p = pipeline().concurrency(2).listener(listener).build();
    java.util.concurrent.CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(2_000)));
    assertThat(five.await(30, TimeUnit.SECONDS)).isTrue();
    running.cancel(true);
    // The caller gave up its future; the listeners (a CLI's summary, metrics) still wait for the
    // batch's end, which comes after an event for each of the ~2,000 entries recorded as cancelled.
    p.close();
    BatchReport report = heard.get();
    assertThat(report).as("onBatchFinished heard before close() returned").isNotNull();
    assertThat(report.cancelled()).isTrue();
    assertThat(report.total()).isEqualTo(2_000);
    assertThat(heardJobs.get()).isEqualTo(2_000);
  }

  @Test
  void jobTimeout_endsAJobWhoseRequestsHang() {
    start(AnyCapSimulator.builder().fault(Fault.hang(Duration.ofSeconds(5))));
    try (ImagePipeline p =
        pipeline().concurrency(1).jobTimeout(Duration.ofMillis(300)).attemptTimeout(Duration.ofMillis(100)).build()) {
      BatchReport report = p.run(JobSource.of(jobs(1)));
      assertThat(report.failed()).isEqualTo(1);
      JobResult.Failed f = report.failures().get(0);
      assertThat(f.errorCode()).isIn("JOB_TIMEOUT", "TRANSPORT");
      assertThat(f.attempts()).isBetween(1, 4);
    }
  }
}

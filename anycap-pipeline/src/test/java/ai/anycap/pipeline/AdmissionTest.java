package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.AnyCapSimulatorExtension;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one admission rule, through each way a job enters a pipeline (a batch, a queue worker,
 * {@code submit}), against each thing the journal can say of it: done (skipped), kept but not
 * delivered (delivered, not generated), unknown (generated).
 */
class AdmissionTest {

  private static final ImageJob DONE = job("done");
  private static final ImageJob KEPT = job("kept");
  private static final ImageJob FRESH = job("fresh");

  @RegisterExtension final AnyCapSimulatorExtension anycap = AnyCapSimulatorExtension.configure(b -> b.seed(11));

  @TempDir Path dir;

  private AnyCapSimulator sim;
  private Path journal;

  @BeforeEach
  void start() {
    sim = anycap.simulator();
    journal = dir.resolve("out/manifest.jsonl");
  }

  /** How a job reaches the pipeline; each returns every job's result by id. */
  enum EntryPoint {
    BATCH {
      @Override
      Map<String, JobResult> admit(ImagePipelineBuilder pipeline, List<ImageJob> jobs) {
        PipelineFixtures.RecordingListener listener = new PipelineFixtures.RecordingListener();
        try (ImagePipeline p = pipeline.listener(listener).build()) {
          BatchReport report = p.run(JobSource.of(jobs));
          assertThat(report.total()).isEqualTo(jobs.size());
        }
        return byId(listener.results);
      }
    },
    QUEUE_WORKER {
      @Override
      Map<String, JobResult> admit(ImagePipelineBuilder pipeline, List<ImageJob> jobs) throws Exception {
        InMemoryQueue queue = new InMemoryQueue(jobs);
        BatchReport report;
        try (ImagePipeline p = pipeline.build()) {
          CompletableFuture<BatchReport> work = p.work(queue);
          assertThat(queue.allSettled.await(30, TimeUnit.SECONDS)).isTrue();
          p.close();
          report = work.get(30, TimeUnit.SECONDS);
        }
        assertThat(report.total()).isEqualTo(jobs.size());
        return queue.settled;
      }
    },
    SUBMIT {
      @Override
      Map<String, JobResult> admit(ImagePipelineBuilder pipeline, List<ImageJob> jobs) throws Exception {
        List<JobResult> results = new ArrayList<>();
        try (ImagePipeline p = pipeline.build()) {
          for (ImageJob job : jobs) {
            results.add(p.submit(job).get(30, TimeUnit.SECONDS));
          }
        }
        return byId(results);
      }
    };

    abstract Map<String, JobResult> admit(ImagePipelineBuilder pipeline, List<ImageJob> jobs) throws Exception;
  }

  @ParameterizedTest
  @EnumSource(EntryPoint.class)
  void theJournalDecides_skipWhatIsDone_deliverWhatIsKept_generateTheRest(EntryPoint entry) throws Exception {
    keepOneImageUndelivered();
    long generatedBefore = sim.counters().requests(SimulatorCounters.GENERATE);
    RecordingSink cms = new RecordingSink(null);

    Map<String, JobResult> results = entry.admit(pipeline(cms), List.of(DONE, KEPT, FRESH));

    assertThat(results.get("done")).isInstanceOfSatisfying(JobResult.Skipped.class, s -> {
      assertThat(s.reason()).isEqualTo(SkipReason.ALREADY_DONE);
      assertThat(s.message()).contains("manifest.jsonl");
    });
    assertThat(results.get("kept")).isInstanceOfSatisfying(JobResult.Succeeded.class, s -> {
      assertThat(s.attempts()).as("delivered, not generated").isZero();
      assertThat(s.credits()).isZero();
      assertThat(s.outputs()).containsExactly(dir.resolve("out/kept.png"));
      assertThat(s.receipts()).extracting(SinkReceipt::sink).containsExactly("cms");
    });
    assertThat(results.get("fresh")).isInstanceOfSatisfying(JobResult.Succeeded.class, s ->
        assertThat(s.attempts()).isEqualTo(1));
    assertThat(cms.delivered).containsExactlyInAnyOrder("kept", "fresh");
    SimulatorCounters c = sim.counters();
    assertThat(c.requests(SimulatorCounters.GENERATE)).as("only the fresh job").isEqualTo(generatedBefore + 1);
    assertThat(c.timesGenerated(request(KEPT))).isEqualTo(1);
    assertThat(c.timesGenerated(request(DONE))).isEqualTo(1);
  }

  @Test
  void submit_deliversAnImageTheJournalKept_withoutGeneratingItAgain() throws Exception {
    keepOneImageUndelivered();
    RecordingSink cms = new RecordingSink(null);

    JobResult result;
    try (ImagePipeline p = pipeline(cms).build()) {
      result = p.submit(KEPT).get(30, TimeUnit.SECONDS);
    }

    assertThat(result).isInstanceOf(JobResult.Succeeded.class);
    assertThat(cms.delivered).containsExactly("kept");
    assertThat(sim.counters().timesGenerated(request(KEPT))).isEqualTo(1);
    assertThat(Files.readAllLines(journal)).last().asString().contains("\"id\":\"kept\"").contains("\"succeeded\"");
  }

  @Test
  void estimate_followsTheSameRule_doneApart_keptFree_freshPaid() {
    keepOneImageUndelivered();

    BatchEstimate estimate;
    try (ImagePipeline p = pipeline(new RecordingSink(null)).build()) {
      estimate = p.estimate(JobSource.of(List.of(DONE, KEPT, FRESH)));
    }

    assertThat(estimate.alreadyDone()).isEqualTo(1);
    assertThat(estimate.jobs()).isEqualTo(2);
    assertThat(estimate.credits()).as("only the fresh job is generated").isEqualByComparingTo("1");
  }

  /**
   * A first run: {@code done} succeeds; {@code kept} is generated but its sink refuses it, so the
   * journal keeps the image as undelivered; {@code fresh} never runs.
   */
  private void keepOneImageUndelivered() {
    RecordingSink refusesKept = new RecordingSink("kept");
    try (ImagePipeline p = pipeline(refusesKept).build()) {
      BatchReport first = p.run(JobSource.of(List.of(DONE, KEPT)));
      assertThat(first.succeeded()).isEqualTo(1);
      assertThat(first.failures()).singleElement().satisfies(f -> {
        assertThat(f.jobId()).isEqualTo("kept");
        assertThat(f.errorCode()).isEqualTo("SINK_FAILED");
      });
    }
    assertThat(dir.resolve("out/kept.png")).isRegularFile();
  }

  private ImagePipelineBuilder pipeline(ImageSink sink) {
    return ImagePipeline.builder()
        .client(sim.client())
        .outputRoot(dir.resolve("out"))
        .journal(journal)
        .sink(sink)
        .sinkRetry(Retry.none());
  }

  private static ImageJob job(String id) {
    return ImageJob.builder().id(id).prompt("a lamp for " + id).outputKey(id + ".png").build();
  }

  private static ImageRequest request(ImageJob job) {
    return ImageRequest.builder().model("nano-banana-2").prompt(job.prompt()).build();
  }

  private static Map<String, JobResult> byId(List<JobResult> results) {
    Map<String, JobResult> byId = new LinkedHashMap<>();
    results.forEach(r -> byId.put(r.jobId(), r));
    return byId;
  }

  /** A sink named {@code cms} that records what it delivered, and refuses one job for good. */
  private static final class RecordingSink implements ImageSink {
    final List<String> delivered = new CopyOnWriteArrayList<>();
    private final String refused;

    RecordingSink(String refused) {
      this.refused = refused;
    }

    @Override
    public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
      String id = image.job().id();
      if (id.equals(refused)) {
        return CompletableFuture.failedFuture(new SinkException(name(), "no such product " + id, false));
      }
      delivered.add(id);
      return CompletableFuture.completedFuture(SinkReceipt.of(name(), "cms://" + id));
    }

    @Override
    public String name() {
      return "cms";
    }
  }

  /**
   * A queue of our own {@link QueueConsumer} interface, in memory: hands each job out once and
   * records how each was settled. With nothing to hand out, {@code take} waits as a real queue's
   * blocking read does, up to its {@code wait}.
   */
  private static final class InMemoryQueue implements QueueConsumer {
    final Map<String, JobResult> settled = new ConcurrentHashMap<>();
    final CountDownLatch allSettled;
    private final ConcurrentLinkedQueue<QueuedJob> waiting = new ConcurrentLinkedQueue<>();
    private final CountDownLatch never = new CountDownLatch(1);

    InMemoryQueue(List<ImageJob> jobs) {
      for (int i = 0; i < jobs.size(); i++) {
        waiting.add(new QueuedJob("m-" + (i + 1), jobs.get(i), 1));
      }
      allSettled = new CountDownLatch(jobs.size());
    }

    @Override
    public List<QueuedJob> take(int max, Duration wait) {
      List<QueuedJob> taken = new ArrayList<>();
      QueuedJob next;
      while (taken.size() < max && (next = waiting.poll()) != null) {
        taken.add(next);
      }
      if (taken.isEmpty()) {
        try {
          never.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return taken;
    }

    @Override
    public void settle(QueuedJob job, JobResult result) {
      settled.put(job.job().id(), result);
      allSettled.countDown();
    }

    @Override
    public void close() {}
  }
}

package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A disk that fills up mid-batch (an in-memory file system with a size cap) stops the spending:
 * the run halts at the first write that fails, sends no generate request after it, reports the
 * jobs it did not start, and its future completes. Asserted by what the simulator generated.
 */
class FullDiskTest {

  private AnyCapSimulator sim;
  private FileSystem disk;

  @BeforeEach
  void start() {
    sim = AnyCapSimulator.builder().seed(13).start();
  }

  @AfterEach
  void stop() throws Exception {
    sim.close();
    disk.close();
  }

  /** A disk of {@code bytes}, in blocks of 1 KiB. */
  private Path diskOf(long bytes) {
    disk = Jimfs.newFileSystem(Configuration.unix().toBuilder().setBlockSize(1024).setMaxSize(bytes).build());
    return disk.getPath("/out");
  }

  @Test
  void aFullDisk_endsTheRun_andNoGenerateIsSentAfterTheFirstFailedWrite() throws Exception {
    Path out = diskOf(24 * 1024);
    int n = 40;
    CompletableFuture<BatchReport> running;
    try (ImagePipeline p = ImagePipeline.builder()
        .client(sim.client())
        .templates(TEMPLATES)
        .outputRoot(out)
        .journal(out.resolve("manifest.jsonl"))
        .concurrency(1)
        .build()) {
      running = p.runAsync(JobSource.of(jobs(n)));
      BatchReport report = running.get(60, TimeUnit.SECONDS);

      assertThat(report.haltReason()).get().asString().contains("cannot be written");
      // The job whose write failed, and perhaps the next, whose call was under way while the
      // first downloaded (concurrency(1) is one call at a time, and one download).
      assertThat(report.failed()).isBetween(1L, 2L);
      assertThat(report.failures().get(0).errorCode()).isIn("DOWNLOAD_LOCAL_FILE", "JOURNAL_FAILED");
      assertThat(report.succeeded()).isPositive();
      long started = report.succeeded() + report.failed();
      assertThat(report.skipped(SkipReason.HALTED)).isEqualTo(n - started);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE))
          .as("nothing sent for a job not started").isEqualTo(started);
      assertThat(sim.counters().imagesGenerated()).isEqualTo(started);
    }
    assertThat(running).isDone();
  }

  @Test
  void aFullDiskWithManyJobsInFlight_stillEnds_andStartsNothingNew() throws Exception {
    Path out = diskOf(24 * 1024);
    int n = 200;
    BatchReport report;
    try (ImagePipeline p = ImagePipeline.builder()
        .client(sim.client())
        .templates(TEMPLATES)
        .outputRoot(out)
        .journal(out.resolve("manifest.jsonl"))
        .concurrency(16)
        .build()) {
      report = p.runAsync(JobSource.of(jobs(n))).get(60, TimeUnit.SECONDS);
    }

    assertThat(report.haltReason()).isPresent();
    assertThat(report.total()).isEqualTo(n);
    long started = report.succeeded() + report.failed();
    assertThat(report.skipped(SkipReason.HALTED)).isEqualTo(n - started);
    assertThat(sim.counters().imagesGenerated()).as("only jobs already under way were generated").isEqualTo(started);
    assertThat(started).isLessThan(n / 2);
    assertThat(Files.exists(out.resolve("manifest.jsonl"))).isTrue();
  }
}

package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalResumeTest {

  @TempDir Path dir;

  private AnyCapSimulator sim;
  private Path journal;

  @BeforeEach
  void start() {
    sim = AnyCapSimulator.builder().seed(7).latency(Duration.ofMillis(5)).start();
    journal = dir.resolve("out/manifest.jsonl");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private ImagePipelineBuilder pipeline() {
    return ImagePipeline.builder()
        .client(sim.client())
        .templates(TEMPLATES)
        .outputRoot(dir.resolve("out"))
        .journal(journal)
        .concurrency(4);
  }

  @Test
  void journal_hasOneLinePerFinishedJob() throws Exception {
    try (ImagePipeline p = pipeline().build()) {
      p.run(JobSource.of(jobs(5)));
    }
    List<String> lines = PipelineFixtures.resultLines(journal);
    assertThat(lines).hasSize(5);
    JsonNode first = new ObjectMapper().readTree(lines.get(0));
    assertThat(first.get("status").asText()).isEqualTo("succeeded");
    assertThat(first.get("outputs").get(0).asText()).matches("img-\\d\\.png");
    assertThat(first.get("credits").asInt()).isEqualTo(1);
    assertThat(first.get("attempts").asInt()).isEqualTo(1);
    assertThat(first.has("request_id")).isTrue();
  }

  @Test
  void rerun_skipsFinishedJobs_andGeneratesNoneAgain() throws Exception {
    try (ImagePipeline p = pipeline().build()) {
      assertThat(p.run(JobSource.of(jobs(10))).succeeded()).isEqualTo(10);
    }
    try (ImagePipeline p = pipeline().build()) {
      BatchReport again = p.run(JobSource.of(jobs(12)));
      assertThat(again.skipped(SkipReason.ALREADY_DONE)).isEqualTo(10);
      assertThat(again.succeeded()).isEqualTo(2);
      assertThat(again.allSucceeded()).isTrue();
    }
    assertThat(sim.counters().imagesGenerated()).isEqualTo(12);
    assertThat(sim.counters().duplicateGenerations()).isZero();
    assertThat(PipelineFixtures.resultLines(journal)).hasSize(12);
  }

  @Test
  void runStoppedHalfway_thenRunAgain_generatesNoFinishedImageAgain() throws Exception {
    int total = 200;
    CountDownLatch halfway = new CountDownLatch(total / 2);
    PipelineListener counter =
        new PipelineListener() {
          @Override
          public void onJobFinished(JobResult result) {
            halfway.countDown();
          }
        };
    BatchReport first;
    try (ImagePipeline p = pipeline().listener(counter).build()) {
      CompletableFuture<BatchReport> running = p.runAsync(JobSource.of(jobs(total)));
      assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
      p.close(); // stops taking jobs, waits for the running ones
      first = running.get(60, TimeUnit.SECONDS);
    }
    assertThat(first.cancelled()).isTrue();
    assertThat(first.succeeded()).isBetween((long) total / 2, (long) total - 1);
    Set<String> finished = succeededIds();
    assertThat(finished).hasSize((int) first.succeeded());

    try (ImagePipeline p = pipeline().build()) {
      BatchReport second = p.run(JobSource.of(jobs(total)));
      assertThat(second.skipped(SkipReason.ALREADY_DONE)).isEqualTo(finished.size());
      assertThat(second.succeeded()).isEqualTo(total - finished.size());
    }
    SimulatorCounters c = sim.counters();
    for (ImageJob job : jobs(total)) {
      ImageRequest request =
          ImageRequest.builder().model("nano-banana-2")
              .prompt(TEMPLATES.render("product_hero", job.values())).build();
      assertThat(c.timesGenerated(request)).as(job.id()).isEqualTo(1);
    }
    assertThat(succeededIds()).hasSize(total);
  }

  @Test
  void tornLastLine_isCutOff_andTheNextLineStartsClean() throws Exception {
    try (ImagePipeline p = pipeline().build()) {
      p.run(JobSource.of(jobs(3)));
    }
    Files.writeString(journal, "{\"id\":\"job-9\",\"stat", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    try (ImagePipeline p = pipeline().build()) {
      BatchReport r = p.run(JobSource.of(jobs(4)));
      assertThat(r.skipped(SkipReason.ALREADY_DONE)).isEqualTo(3);
      assertThat(r.succeeded()).isEqualTo(1);
    }
    List<String> lines = PipelineFixtures.resultLines(journal);
    assertThat(lines).hasSize(4).noneMatch(l -> l.contains("job-9"));
    assertThat(new ObjectMapper().readTree(lines.get(3)).get("id").asText()).isEqualTo("job-4");
  }

  @Test
  void corruptLineInTheMiddle_isRefusedNamingTheLine() throws Exception {
    Files.createDirectories(journal.getParent());
    Files.writeString(journal, "{\"id\":\"a\",\"status\":\"succeeded\"}\nnot json\n{\"id\":\"b\",\"status\":\"succeeded\"}\n");
    assertThatThrownBy(() -> pipeline().build())
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("manifest.jsonl:2");
  }

  @Test
  void failedJobs_runAgainOnTheNextRun() throws Exception {
    sim.addFault(ai.anycap.testkit.Fault.doNotRetry().onNthRequest(1));
    try (ImagePipeline p = pipeline().concurrency(1).build()) {
      assertThat(p.run(JobSource.of(jobs(3))).failed()).isEqualTo(1);
    }
    sim.clearFaults();
    try (ImagePipeline p = pipeline().build()) {
      BatchReport r = p.run(JobSource.of(jobs(3)));
      assertThat(r.succeeded()).isEqualTo(1);
      assertThat(r.skipped(SkipReason.ALREADY_DONE)).isEqualTo(2);
    }
  }

  private Set<String> succeededIds() throws Exception {
    Set<String> ids = new HashSet<>();
    ObjectMapper m = new ObjectMapper();
    for (String line : Files.readAllLines(journal)) {
      JsonNode n = m.readTree(line);
      if (n.get("status").asText().equals("succeeded")) {
        assertThat(ids.add(n.get("id").asText())).as("one line per job").isTrue();
      }
    }
    return ids;
  }
}

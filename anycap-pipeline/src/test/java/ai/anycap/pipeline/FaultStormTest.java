package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.completePng;
import static ai.anycap.pipeline.PipelineFixtures.files;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.AnyCapSimulatorBuilder;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand jobs against a simulator that fails one request in five, in every way it knows: every
 * job must end in the journal, succeeded or failed with a reason, with no partial file, no request
 * repeated that the server said not to repeat, and no download failure answered by generating
 * again.
 */
class FaultStormTest {

  private static final int JOBS = 1000;

  @TempDir Path dir;

  @Test
  void thousandJobsUnderTwentyPercentFaults() throws Exception {
    List<Fault> faults =
        List.of(
            Fault.serverError(500),
            Fault.serverError(502).flatEnvelope(),
            Fault.serverError(503),
            Fault.serverError(504),
            Fault.rateLimited(Duration.ofSeconds(1)),
            Fault.rateLimited(Duration.ofSeconds(1)).httpDate(),
            Fault.doNotRetry(),
            Fault.resetConnection(),
            Fault.hang(Duration.ofSeconds(6)),
            Fault.malformedJson(),
            Fault.truncatedDownload(),
            Fault.artifactStatus(403),
            Fault.artifactStatus(404),
            Fault.slowDownload(Duration.ofMillis(50)));
    AnyCapSimulatorBuilder sb = AnyCapSimulator.builder().seed(20261125);
    // One request in five fails: generate faults share 20% of generates, download faults 20% of downloads.
    long generateKinds = faults.stream().filter(f -> !f.kind().onDownload()).count();
    long downloadKinds = faults.size() - generateKinds;
    for (Fault f : faults) {
      sb.fault(f.probability(0.20 / (f.kind().onDownload() ? downloadKinds : generateKinds)));
    }
    Path out = dir.resolve("out");
    Path journal = out.resolve("manifest.jsonl");
    BatchReport report;
    try (AnyCapSimulator sim = sb.start();
        ImagePipeline p =
            ImagePipeline.builder()
                .client(sim.client())
                .templates(TEMPLATES)
                .outputRoot(out)
                .journal(journal)
                .concurrency(16)
                .attemptTimeout(Duration.ofSeconds(5))
                .retry(Retry.exponential(5, Duration.ofMillis(2), Duration.ofMillis(10))
                    .withMaxRetryAfter(Duration.ofMillis(20)))
                .build()) {
      report = p.run(JobSource.of(jobs(JOBS)));
      SimulatorCounters c = sim.awaitCounters(k -> k.inFlight() == 0, Duration.ofSeconds(30));

      // Every job ended, succeeded or failed with a reason, once in the journal.
      assertThat(report.succeeded() + report.failed()).isEqualTo(JOBS);
      assertThat(report.succeeded()).as("retries rescue most jobs").isGreaterThan(JOBS * 8 / 10);
      assertThat(report.failed()).as("some faults are final").isPositive();
      Map<String, JsonNode> lines = new HashMap<>();
      ObjectMapper m = new ObjectMapper();
      for (String line : PipelineFixtures.resultLines(journal)) {
        JsonNode n = m.readTree(line);
        assertThat(lines.put(n.get("id").asText(), n)).as("one line per job").isNull();
        String status = n.get("status").asText();
        assertThat(status).isIn("succeeded", "failed");
        if (status.equals("failed")) {
          assertThat(n.get("error_code").asText()).isNotBlank();
          assertThat(n.get("error").asText()).isNotBlank();
        }
      }
      assertThat(lines).hasSize(JOBS);

      // No partial file: exactly one complete image per succeeded job, no temporary files.
      List<String> written = files(out);
      assertThat(written).filteredOn(f -> f.endsWith(".part")).isEmpty();
      assertThat(written).filteredOn(f -> f.endsWith(".png")).hasSize((int) report.succeeded());
      for (String f : written) {
        if (f.endsWith(".png")) {
          assertThat(completePng(out.resolve(f))).as(f).isTrue();
        }
      }

      // What the server saw, job by job.
      int doNotRetryFailures = 0;
      int downloadFailures = 0;
      for (ImageJob job : jobs(JOBS)) {
        ImageRequest request =
            ImageRequest.builder().model("nano-banana-2").prompt(TEMPLATES.render("product_hero", job.values())).build();
        List<String> history = sim.generateHistory(request);
        JsonNode line = lines.get(job.id());
        assertThat(history.size()).as("generate requests of %s", job.id()).isEqualTo(line.get("attempts").asInt());
        // Every request the server saw for this job is one the pipeline counted as an attempt
        // (checked above), so a clean 200 followed by more requests is an answer the client
        // timed out on, not a download failure answered by generating again (checked below).
        int refused = history.indexOf("500 do-not-retry");
        if (refused >= 0) {
          doNotRetryFailures++;
          assertThat(history).as("do-not-retry is final, %s", job.id()).hasSize(refused + 1);
        }
        if (line.get("status").asText().equals("failed") && line.get("error_code").asText().startsWith("DOWNLOAD_")) {
          downloadFailures++;
          assertThat(history.lastIndexOf("200")).as("no generation after the one whose download failed, %s: %s", job.id(), history).isEqualTo(history.size() - 1);
        }
      }
      assertThat(doNotRetryFailures).as("the storm hit do-not-retry").isPositive();
      assertThat(downloadFailures).as("the storm hit final download failures").isPositive();
      assertThat(c.protocolViolations()).isEmpty();
    }
  }
}

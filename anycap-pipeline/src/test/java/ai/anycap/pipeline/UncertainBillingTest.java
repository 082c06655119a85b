package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.Latency;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generate attempt whose answer never came may have been generated and billed: it is counted as
 * possibly billed, held by the budget, reported apart, and resubmitted only as the policy allows.
 * Asserted by what the simulator generated and billed.
 */
class UncertainBillingTest {

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

  @TempDir Path dir;

  private AnyCapSimulator sim;

  @BeforeEach
  void start() {
    sim = AnyCapSimulator.builder().seed(3).start();
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
        .journal(dir.resolve("out/manifest.jsonl"))
        .retry(Retry.exponential(4, Duration.ofMillis(10), Duration.ofMillis(50)))
        // Long enough that a loaded machine's slow answer is not taken for a lost one.
        .attemptTimeout(Duration.ofSeconds(2))
        .concurrency(1);
  }

  private static ImageRequest requestOf(ImageJob job) {
    return ImageRequest.builder().model("nano-banana-2").prompt(TEMPLATES.render("product_hero", job.values())).build();
  }

  @Test
  void aTimeoutAfterTheServerGenerated_isResubmittedOnce_andReportedAsOneConfirmedAndOnePossiblyBilled() throws Exception {
    // The server generates (and bills) the first image, then never answers in time.
    sim.addFault(Fault.hang(Duration.ofSeconds(6)).afterGeneration().onNthRequest(1));
    ImageJob job = jobs(1).get(0);
    BatchReport report;
    try (ImagePipeline p = pipeline().build()) {
      report = p.run(JobSource.of(List.of(job)));
    }

    assertThat(report.succeeded()).isEqualTo(1);
    assertThat(report.credits()).isEqualByComparingTo("1");
    assertThat(report.possiblyBilled().attempts()).isEqualTo(1);
    assertThat(report.possiblyBilled().credits()).isEqualByComparingTo("1");
    assertThat(report.possiblyBilled().usd()).isEqualByComparingTo("0.005");
    SimulatorCounters c = sim.counters();
    assertThat(c.timesGenerated(requestOf(job))).as("generated, and billed, twice").isEqualTo(2);
    assertThat(c.creditsCharged()).isEqualTo(2);
    JsonNode line = lastLine(dir.resolve("out/manifest.jsonl"));
    assertThat(line.get("status").asText()).isEqualTo("succeeded");
    assertThat(line.get("possibly_billed").asInt()).isEqualTo(1);
    assertThat(report.toString()).contains("1 attempt(s) possibly billed without an answer");
  }

  @Test
  void theFailPolicy_failsTheJobWithTheUncertainCode_andSendsNothingMore() {
    sim.addFault(Fault.hang(Duration.ofSeconds(6)).afterGeneration().onNthRequest(1));
    BatchReport report;
    try (ImagePipeline p = pipeline().retry(Retry.defaults().failWhenBillingUncertain()).build()) {
      report = p.run(JobSource.of(jobs(1)));
    }

    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.failures().get(0).errorCode()).isEqualTo("BILLING_UNCERTAIN");
    assertThat(report.failures().get(0).message()).contains("may have been generated and billed");
    assertThat(report.possiblyBilled().attempts()).isEqualTo(1);
    assertThat(sim.counters().imagesGenerated()).as("one request, never resubmitted").isEqualTo(1);
    assertThat(report.retries()).isZero();
  }

  @Test
  void theBudgetHoldsAgainstTheUpperBound_possiblyBilledAttemptsNeverExceedIt() {
    // Every request is generated and billed, and none is answered in time.
    sim.addFault(Fault.hang(Duration.ofSeconds(6)).afterGeneration());
    BatchReport report;
    try (ImagePipeline p = pipeline()
        .budget(Budget.credits(3))
        .retry(Retry.exponential(10, Duration.ofMillis(10), Duration.ofMillis(20)))
        .build()) {
      report = p.run(JobSource.of(jobs(5)));
    }

    long sent = sim.counters().imagesGenerated();
    assertThat(sent).as("a budget of 3 credits allows 3 possibly billed attempts, no more").isEqualTo(3);
    assertThat(report.possiblyBilled().attempts()).isEqualTo(3);
    assertThat(report.possiblyBilled().credits().add(report.credits())).isLessThanOrEqualTo(new BigDecimal(3));
    assertThat(report.failures()).extracting(JobResult.Failed::errorCode).containsExactly("BUDGET_EXHAUSTED");
    assertThat(report.skipped(SkipReason.BUDGET)).isEqualTo(4);
  }

  @Test
  void anAnswerSayingBillingIsUncertain_isNeverResubmitted_whateverThePolicy() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withStatus(503)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"code\":\"IMAGE_BILLING_UNCERTAIN\",\"message\":\"upstream lost track\","
            + "\"retry_same_request\":true}}")));
    AnyCapClient client = AnyCapClient.builder().apiKey("ak_test_x").endpoint(URI.create(wm.baseUrl())).build();
    ImageJob job = ImageJob.builder().id("uncertain").prompt("a lamp whose billing the server lost track of")
        .outputKey("lamp.png").build();
    BatchReport report;
    try (ImagePipeline p = ImagePipeline.builder().client(client).templates(TEMPLATES).outputRoot(dir.resolve("out"))
        .retry(Retry.exponential(5, Duration.ZERO, Duration.ZERO)).build()) {
      report = p.run(JobSource.of(List.of(job)));
    }

    // Counted by this job's prompt, and every request WireMock saw is described should it fail.
    assertThat(wm.findAll(postRequestedFor(urlEqualTo("/v1/image/generate"))
            .withRequestBody(containing("billing the server lost track of"))))
        .as("requests for this job; all requests seen: %s", wm.getAllServeEvents().stream()
            .map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl() + " trace="
                + e.getRequest().getHeader("X-Trace-Id") + " body=" + e.getRequest().getBodyAsString())
            .toList())
        .hasSize(1);
    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.failures().get(0).errorCode()).isEqualTo("BILLING_UNCERTAIN");
    assertThat(report.possiblyBilled().attempts()).isEqualTo(1);
  }

  @Test
  void aSlowModelsAttemptIsNeverCutByTheJobTimeout() {
    // The model takes 1.5 s; the job's own timeout is 300 ms; the client gives it 10 s.
    sim.close();
    sim = AnyCapSimulator.builder().seed(3).latency("seedream-5", Latency.fixed(Duration.ofMillis(1500))).start();
    AnyCapClient client = sim.client().toBuilder().generateTimeout("seedream-5", Duration.ofSeconds(10)).build();
    BatchReport report;
    try (ImagePipeline p = ImagePipeline.builder()
        .client(client)
        .templates(TEMPLATES)
        .defaultModel("seedream-5")
        .outputRoot(dir.resolve("out"))
        .jobTimeout(Duration.ofMillis(300))
        .build()) {
      report = p.run(JobSource.of(jobs(1)));
    }

    assertThat(report.succeeded()).isEqualTo(1);
    assertThat(report.possiblyBilled().attempts()).isZero();
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(1);
  }

  @Test
  void anExplicitAttemptTimeoutBelowTheModelsTime_cutsTheAttempt_andCountsItAsPossiblyBilled() {
    sim.close();
    sim = AnyCapSimulator.builder().seed(3).latency("seedream-5", Latency.fixed(Duration.ofMillis(1500))).start();
    BatchReport report;
    try (ImagePipeline p = pipeline()
        .defaultModel("seedream-5")
        .attemptTimeout(Duration.ofMillis(200))
        .retry(Retry.none())
        .build()) {
      report = p.run(JobSource.of(jobs(1)));
    }

    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.possiblyBilled().attempts()).isEqualTo(1);
    assertThat(report.possiblyBilled().usd()).isEqualByComparingTo("0.015");
  }

  private static JsonNode lastLine(Path journal) throws Exception {
    List<String> lines = PipelineFixtures.resultLines(journal);
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }
}

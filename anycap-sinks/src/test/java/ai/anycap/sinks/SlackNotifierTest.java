package ai.anycap.sinks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.SkipReason;
import ai.anycap.testkit.AnyCapSimulator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SlackNotifierTest {

  /** The secret part of an incoming-webhook URL. */
  private static final String HOOK = "/services/T0001/B0002/XyzSecretPart123";

  @RegisterExtension static WireMockExtension slack = SinkFixtures.wireMock();

  @TempDir Path dir;

  private SlackNotifier.Builder notifier() {
    return SlackNotifier.builder().webhookUrl(URI.create(slack.baseUrl() + HOOK)).timeout(Duration.ofSeconds(5));
  }

  private List<String> postedTexts() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<ServeEvent> events = new ArrayList<>(slack.getAllServeEvents());
    events.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
    List<String> texts = new ArrayList<>();
    for (ServeEvent e : events) {
      texts.add(json.readTree(e.getRequest().getBodyAsString()).get("text").asText());
    }
    return texts;
  }

  private static JobResult.Failed failed(String id, String code, String message) {
    ImageJob job = ImageJob.builder().id(id).prompt("p").outputKey(id + ".png").build();
    return new JobResult.Failed(job, code, message, BigDecimal.ONE, 1, Duration.ofSeconds(1), List.of(), List.of());
  }

  private static BatchReport report(long succeeded, List<JobResult.Failed> failures) {
    return new BatchReport(succeeded, failures.size(), Map.of(SkipReason.ALREADY_DONE, 3L), succeeded + failures.size(), 4,
        new BigDecimal("1194"), new BigDecimal("5.97"), Duration.ofSeconds(133), failures, null, false);
  }

  @Test
  void startAndFinishMessages_carryJobsCostDurationAndTheFirstFiveFailures() throws Exception {
    slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200).withBody("ok")));
    BatchEstimate estimate = new BatchEstimate(1200, 50, 0, Map.of("nano-banana-2", 1200L), new BigDecimal("1200"),
        new BigDecimal("6.00"), List.of());
    SlackNotifier n = notifier().estimate(estimate).notifyFailuresAsTheyHappen(false).build();
    List<JobResult.Failed> failures = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      failures.add(failed("job-" + i, i == 1 ? "SINK_FAILED" : "CONTENT_POLICY", "refused <b>" + i + "</b>"));
    }

    n.onBatchStarted(OptionalLong.of(1250));
    n.onJobFinished(failures.get(0));
    n.onBatchFinished(report(1187, failures));
    assertThat(n.awaitDelivered(Duration.ofSeconds(10))).isTrue();

    List<String> texts = postedTexts();
    assertThat(texts).hasSize(2);
    assertThat(texts.get(0)).contains("started").contains("1,250 jobs").contains("1,200 jobs to run")
        .contains("50 already done").contains("1200 credits").contains("~$6.00");
    assertThat(texts.get(1))
        .contains("finished in 2 min 13 s")
        .contains("1,187 succeeded").contains("7 failed").contains("3 skipped")
        .contains("1194 credits").contains("~$5.97")
        .contains("First 5 of 7 failures")
        .contains("job-1 [SINK_FAILED]").contains("job-5 [CONTENT_POLICY]")
        .doesNotContain("job-6")
        .contains("refused &lt;b&gt;1&lt;/b&gt;");
    slack.verify(exactly(2), postRequestedFor(urlEqualTo(HOOK)).withHeader("Content-Type", equalTo("application/json")));
  }

  @Test
  void failures_arePostedAsTheyHappen_upToACap() throws Exception {
    slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200)));
    SlackNotifier n = notifier().build();

    n.onBatchStarted(OptionalLong.of(20));
    for (int i = 1; i <= 15; i++) {
      n.onJobFinished(failed("job-" + i, "HTTP_500", "boom"));
    }
    assertThat(n.awaitDelivered(Duration.ofSeconds(10))).isTrue();

    List<String> texts = postedTexts();
    assertThat(texts).hasSize(1 + SlackNotifier.MAX_FAILURE_MESSAGES + 1);
    assertThat(texts.get(1)).contains("job job-1 failed [HTTP_500] boom");
    assertThat(texts.get(SlackNotifier.MAX_FAILURE_MESSAGES)).contains("job-10");
    assertThat(texts.get(texts.size() - 1)).contains("summary");
  }

  @Test
  void slackDown_neverFailsTheBatch_andIsLoggedWithTheHostOnly() throws Exception {
    slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(500).withBody("no_service")));
    SlackNotifier n = notifier().build();

    BatchReport report;
    try (SinkFixtures.CapturedLogs logs = new SinkFixtures.CapturedLogs(SlackNotifier.class);
        AnyCapSimulator sim = AnyCapSimulator.builder().seed(3).start();
        ImagePipeline p = ImagePipeline.builder().client(sim.client()).outputRoot(dir).listener(n).build()) {
      report = p.run(JobSource.of(SinkFixtures.jobs(5)));

      assertThat(n.awaitDelivered(Duration.ofSeconds(10))).isFalse();
      assertThat(logs.warnings()).isNotEmpty()
          .allSatisfy(w -> assertThat(w).contains(URI.create(slack.baseUrl()).getHost()).contains("500").doesNotContain("XyzSecretPart123"));
    }

    assertThat(report.allSucceeded()).isTrue();
    assertThat(report.succeeded()).isEqualTo(5);
    slack.verify(exactly(2), postRequestedFor(urlEqualTo(HOOK)));
  }

  @Test
  void slackUnreachable_neverFailsTheBatch() throws Exception {
    URI closed = URI.create("http://127.0.0.1:" + SinkFixtures.closedPort() + HOOK);
    SlackNotifier n = SlackNotifier.builder().webhookUrl(closed).timeout(Duration.ofSeconds(2)).build();

    try (SinkFixtures.CapturedLogs logs = new SinkFixtures.CapturedLogs(SlackNotifier.class);
        AnyCapSimulator sim = AnyCapSimulator.builder().seed(3).start();
        ImagePipeline p = ImagePipeline.builder().client(sim.client()).outputRoot(dir).listener(n).build()) {
      BatchReport report = p.run(JobSource.of(List.of(
          ImageJob.builder().id("a").prompt("one").outputKey("a.png").build(),
          ImageJob.builder().id("b").prompt("two").outputKey("b.png").build())));

      assertThat(report.allSucceeded()).isTrue();
      assertThat(n.awaitDelivered(Duration.ofSeconds(10))).isFalse();
      assertThat(logs.warnings()).hasSize(2)
          .allSatisfy(w -> assertThat(w).contains("not sent").doesNotContain("XyzSecretPart123"));
    }
  }

  @Test
  void aHangingSlack_holdsUpTheEndOfTheBatchNoLongerThanTheTimeout() throws Exception {
    slack.stubFor(post(urlEqualTo(HOOK)).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
    SlackNotifier n = notifier().timeout(Duration.ofMillis(300)).notifyFailuresAsTheyHappen(false).build();

    long t0 = System.nanoTime();
    n.onBatchFinished(report(1, List.of()));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(took).as("well under the 5 s Slack takes").isLessThan(Duration.ofSeconds(3));
    assertThat(n.awaitDelivered(Duration.ofSeconds(3))).as("the post timed out").isFalse();
  }

  @Test
  void theWebhookUrl_isASecret() {
    SlackNotifier n = notifier().build();
    assertThat(n.toString()).contains(URI.create(slack.baseUrl()).getHost()).doesNotContain("XyzSecretPart123");
    assertThatThrownBy(() -> SlackNotifier.builder().webhookUrlFromEnv("NO_SUCH_VAR", Map.of()))
        .hasMessageContaining("NO_SUCH_VAR");
    assertThatThrownBy(() -> SlackNotifier.builder().webhookUrl(URI.create("file:///services/T/B/secret")))
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> SlackNotifier.builder().build()).hasMessageContaining("webhookUrl");
    SlackNotifier fromEnv =
        SlackNotifier.builder().webhookUrlFromEnv("SLACK_WEBHOOK_URL", Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.com" + HOOK)).build();
    assertThat(fromEnv.toString()).isEqualTo("SlackNotifier[hooks.slack.com]");
  }
}

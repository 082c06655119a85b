package ai.anycap.sinks;

import static ai.anycap.sinks.SinkFixtures.failure;
import static ai.anycap.sinks.SinkFixtures.image;
import static ai.anycap.sinks.SinkFixtures.s3;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.testkit.AnyCapSimulator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WebhookSinkTest {

  private static final byte[] KEY = "k3y-bytes-for-the-webhook-test!!".getBytes(StandardCharsets.UTF_8);
  private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @RegisterExtension static WireMockExtension receiver = SinkFixtures.wireMock();

  @TempDir Path dir;

  private WebhookSink.Builder sink() {
    return WebhookSink.builder()
        .url(URI.create(receiver.baseUrl() + "/hooks/anycap"))
        .secret(SECRET)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static LoggedRequest only(WireMockExtension wm) {
    assertThat(wm.getAllServeEvents()).hasSize(1);
    return wm.getAllServeEvents().get(0).getRequest();
  }

  @Test
  void deliver_postsTheImageAsASignedEvent_thatWebhookVerifierAccepts() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hooks/anycap")).willReturn(aResponse().withStatus(204)));

    SinkReceipt receipt = sink().build().deliver(image(Map.of("sku", "SKU-1"), s3("mugs/SKU-1.png"))).get();

    LoggedRequest r = only(receiver);
    JsonNode body = new ObjectMapper().readTree(r.getBodyAsString());
    assertThat(body.get("type").asText()).isEqualTo("image.generated");
    assertThat(body.get("job_id").asText()).isEqualTo("job-1");
    assertThat(body.get("output_key").asText()).isEqualTo("mugs/job-1.png");
    assertThat(body.get("model").asText()).isEqualTo("nano-banana-2");
    assertThat(body.get("sha256").asText()).isEqualTo(SinkFixtures.SHA);
    assertThat(body.get("size").asLong()).isEqualTo(1234);
    assertThat(body.get("content_type").asText()).isEqualTo("image/png");
    assertThat(body.at("/receipts/s3/location").asText()).isEqualTo("https://cdn.example.com/mugs/SKU-1.png");
    assertThat(body.at("/receipts/s3/attributes/key").asText()).isEqualTo("mugs/SKU-1.png");
    assertThat(body.at("/values/sku").asText()).isEqualTo("SKU-1");
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.getHeader("webhook-id")).startsWith("msg_");
    assertThat(r.getHeader("webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
    assertThat(r.getHeader("webhook-signature")).startsWith("v1,");

    WebhookVerifier verifier = WebhookVerifier.create(SECRET).withClock(Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC));
    verifier.verify(r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"), r.getHeader("webhook-signature"),
        r.getBodyAsString());
    assertThat(receipt.location()).isEqualTo(receiver.baseUrl() + "/hooks/anycap");
    assertThat(receipt.attributes()).containsEntry("status", "204").containsEntry("webhook_id", r.getHeader("webhook-id"));
  }

  @Test
  void theMessageId_isStableForOneImage_andDiffersForAnother() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hooks/anycap")).willReturn(aResponse().withStatus(200)));
    WebhookSink s = sink().build();
    DeliveredImage a = image(Map.of("sku", "1"));
    DeliveredImage other = new DeliveredImage(a.job(), a.file(), a.size(), a.contentType(), "0".repeat(64), a.model(), List.of());

    String first = s.deliver(a).get().attributes().get("webhook_id");
    String retried = s.deliver(a).get().attributes().get("webhook_id");
    String different = s.deliver(other).get().attributes().get("webhook_id");

    assertThat(retried).isEqualTo(first);
    assertThat(different).isNotEqualTo(first);
  }

  @Test
  void serverErrorsRateLimitsAndRefusedConnections_areRetryable_otherClientErrorsAreNot() throws Exception {
    receiver.stubFor(post(urlEqualTo("/500")).willReturn(aResponse().withStatus(500)));
    receiver.stubFor(post(urlEqualTo("/429")).willReturn(aResponse().withStatus(429)));
    receiver.stubFor(post(urlEqualTo("/410")).willReturn(aResponse().withStatus(410).withBody("endpoint gone")));
    DeliveredImage img = image(Map.of());

    for (String path : List.of("/500", "/429")) {
      Throwable e = failure(sink().url(URI.create(receiver.baseUrl() + path)).build().deliver(img));
      assertThat(((SinkException) e).retryable()).as(path).isTrue();
    }
    Throwable gone = failure(sink().url(URI.create(receiver.baseUrl() + "/410")).build().deliver(img));
    assertThat(gone).hasMessageContaining("410").hasMessageContaining("endpoint gone");
    assertThat(((SinkException) gone).retryable()).isFalse();
    Throwable refused =
        failure(sink().url(URI.create("http://127.0.0.1:" + SinkFixtures.closedPort() + "/h")).build().deliver(img));
    assertThat(((SinkException) refused).retryable()).isTrue();
    receiver.verify(exactly(1), postRequestedFor(urlEqualTo("/500")));
  }

  @Test
  void theSecret_neverShows_andIsReadFromTheEnvironmentInEitherForm() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hooks/anycap")).willReturn(aResponse().withStatus(200)));
    WebhookSink fromEnv = sink().secretFromEnv("HOOK_SECRET", Map.of("HOOK_SECRET", SECRET)).build();
    assertThat(fromEnv.toString()).doesNotContain(SECRET).doesNotContain(Base64.getEncoder().encodeToString(KEY));

    fromEnv.deliver(image(Map.of())).get();
    LoggedRequest r = only(receiver);
    WebhookVerifier.create(KEY).withClock(Clock.fixed(NOW, ZoneOffset.UTC))
        .verify(r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"), r.getHeader("webhook-signature"), r.getBodyAsString());

    assertThatThrownBy(() -> sink().secretFromEnv("MISSING_SECRET", Map.of()))
        .hasMessageContaining("MISSING_SECRET");
    assertThatThrownBy(() -> sink().secretFromEnv("BAD", Map.of("BAD", "whsec_!!not-base64-s3cr3t!!")))
        .hasMessageContaining("BAD").hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> WebhookSink.builder().url(URI.create(receiver.baseUrl())).build()).hasMessageContaining("secret");
    assertThatThrownBy(() -> sink().header("webhook-signature", "v1,forged")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inAPipeline_eachFinishedImageIsPostedOnce() throws Exception {
    receiver.stubFor(post(urlEqualTo("/hooks/anycap")).willReturn(aResponse().withStatus(200)));
    List<ImageJob> jobs = List.of(
        ImageJob.builder().id("a").prompt("first").value("sku", "A").outputKey("a.png").build(),
        ImageJob.builder().id("b").prompt("second").value("sku", "B").outputKey("b.png").build());

    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(5).start();
        ImagePipeline p = ImagePipeline.builder().client(sim.client()).outputRoot(dir).sink(sink().build()).build()) {
      BatchReport report = p.run(JobSource.of(jobs));
      assertThat(report.allSucceeded()).isTrue();
      assertThat(((JobResult.Succeeded) p.submit(ImageJob.builder().id("c").prompt("third").outputKey("c.png").build()).get())
          .receipts()).extracting(SinkReceipt::sink).containsExactly("webhook");
    }

    receiver.verify(exactly(3), postRequestedFor(urlEqualTo("/hooks/anycap")).withHeader("webhook-signature", com.github.tomakehurst.wiremock.client.WireMock.matching("v1,.+")));
    WebhookVerifier verifier = WebhookVerifier.create(SECRET).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    for (var e : receiver.getAllServeEvents()) {
      LoggedRequest r = e.getRequest();
      verifier.verify(r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"), r.getHeader("webhook-signature"), r.getBodyAsString());
      JsonNode body = new ObjectMapper().readTree(r.getBodyAsString());
      assertThat(body.get("job_id").asText()).isIn("a", "b", "c");
      assertThat(body.get("content_type").asText()).isEqualTo("image/png");
      assertThat(body.get("size").asLong()).isPositive();
    }
    receiver.verify(postRequestedFor(urlEqualTo("/hooks/anycap")).withHeader("webhook-timestamp", equalTo(Long.toString(NOW.getEpochSecond()))));
  }
}

package ai.anycap.sinks;

import static ai.anycap.sinks.SinkFixtures.failure;
import static ai.anycap.sinks.SinkFixtures.image;
import static ai.anycap.sinks.SinkFixtures.s3;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.pipeline.Sinks;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class CmsSinkTest {

  private static final String TOKEN = "cms_tok_SECRET_1234567890";

  @RegisterExtension static WireMockExtension cms = SinkFixtures.wireMock();

  @TempDir Path dir;

  private CmsSink.Builder sink() {
    return CmsSink.builder()
        .urlTemplate(cms.baseUrl() + "/api/products/{sku}")
        .bodyTemplate("{\"image_url\":\"{s3.url}\",\"alt\":\"{alt}\",\"sha\":\"{sha256}\"}")
        .bearerToken(() -> TOKEN)
        .timeout(Duration.ofSeconds(5));
  }

  @Test
  void deliver_patchesTheRenderedUrlWithTheS3UrlAndTheBearerToken() throws Exception {
    cms.stubFor(patch(urlEqualTo("/api/products/SKU-1")).willReturn(aResponse().withStatus(200).withHeader("ETag", "\"rev-7\"")));

    SinkReceipt receipt =
        sink().build().deliver(image(Map.of("sku", "SKU-1", "alt", "a red mug"), s3("mugs/SKU-1.png"))).get();

    cms.verify(exactly(1), patchRequestedFor(urlEqualTo("/api/products/SKU-1"))
        .withHeader("Authorization", equalTo("Bearer " + TOKEN))
        .withHeader("Content-Type", equalTo("application/json"))
        .withRequestBody(equalToJson(
            "{\"image_url\":\"https://cdn.example.com/mugs/SKU-1.png\",\"alt\":\"a red mug\",\"sha\":\"" + SinkFixtures.SHA + "\"}")));
    assertThat(receipt.sink()).isEqualTo("cms");
    assertThat(receipt.location()).isEqualTo(cms.baseUrl() + "/api/products/SKU-1");
    assertThat(receipt.attributes()).containsEntry("status", "200").containsEntry("etag", "\"rev-7\"");
  }

  @Test
  void deliver_escapesValuesForJson_soAQuoteCannotBreakTheBody() throws Exception {
    cms.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(204)));
    String alt = "12\" \"pro\" mug\\ with\nnewline\",\"injected\":\"yes";

    sink().build().deliver(image(Map.of("sku", "SKU-1", "alt", alt), s3("k.png"))).get();

    String body = cms.getAllServeEvents().get(0).getRequest().getBodyAsString();
    JsonNode json = new ObjectMapper().readTree(body);
    assertThat(json.get("alt").asText()).isEqualTo(alt);
    assertThat(json.has("injected")).isFalse();
  }

  @Test
  void deliver_encodesValuesInTheUrl_soEachStaysInItsPathSegment() throws Exception {
    cms.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(200)));

    CmsSink s = CmsSink.builder().method("put").urlTemplate(cms.baseUrl() + "/api/products/{sku}?variant={variant}").build();
    SinkReceipt r = s.deliver(image(Map.of("sku", "a/b c?", "variant", "x&y=ü"))).get();

    cms.verify(putRequestedFor(urlEqualTo("/api/products/a%2Fb%20c%3F?variant=x%26y%3D%C3%BC")));
    assertThat(r.location()).endsWith("/api/products/a%2Fb%20c%3F?variant=x%26y%3D%C3%BC");
  }

  @Test
  void deliver_offersBuiltInsAndEveryReceiptAttribute() throws Exception {
    cms.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));

    CmsSink s = CmsSink.builder()
        .method("POST")
        .urlTemplate(cms.baseUrl() + "/images/{id}")
        .bodyTemplate("{\"key\":\"{s3.key}\",\"loc\":\"{s3.location}\",\"model\":\"{model}\",\"type\":\"{content_type}\","
            + "\"out\":\"{output_key}\",\"size\":{size}, \"literal\": {\"braces\": \"{ not a placeholder }\"}}")
        .build();
    s.deliver(image(Map.of(), s3("mugs/1.png"))).get();

    JsonNode json = new ObjectMapper().readTree(cms.getAllServeEvents().get(0).getRequest().getBodyAsString());
    assertThat(json.get("key").asText()).isEqualTo("mugs/1.png");
    assertThat(json.get("loc").asText()).isEqualTo("https://cdn.example.com/mugs/1.png");
    assertThat(json.get("model").asText()).isEqualTo("nano-banana-2");
    assertThat(json.get("type").asText()).isEqualTo("image/png");
    assertThat(json.get("out").asText()).isEqualTo("mugs/job-1.png");
    assertThat(json.get("size").asLong()).isEqualTo(1234);
    assertThat(json.get("literal").get("braces").asText()).isEqualTo("{ not a placeholder }");
    assertThat(cms.getAllServeEvents().get(0).getRequest().getUrl()).isEqualTo("/images/job-1");
  }

  @Test
  void aMissingPlaceholder_failsWithoutARequest_namingIt() throws Exception {
    Throwable e = failure(sink().build().deliver(image(Map.of("sku", "SKU-1", "alt", "x"))));

    assertThat(e).isInstanceOf(SinkException.class).hasMessageContaining("{s3.url}").hasMessageContaining("job-1");
    assertThat(((SinkException) e).retryable()).isFalse();
    assertThat(cms.getAllServeEvents()).isEmpty();
  }

  @Test
  void notFound_isNotRetryable_andQuotesTheResponseBody() throws Exception {
    cms.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(404).withBody("{\"error\":\"no product SKU-9\"}" + "x".repeat(2000))));

    Throwable e = failure(sink().build().deliver(image(Map.of("sku", "SKU-9", "alt", "x"), s3("k"))));

    assertThat(e).isInstanceOf(SinkException.class)
        .hasMessageContaining("404")
        .hasMessageContaining("no product SKU-9")
        .hasMessageContaining("/api/products/SKU-9");
    assertThat(((SinkException) e).retryable()).isFalse();
    assertThat(((SinkException) e).sink()).isEqualTo("cms");
    assertThat(e.getMessage().length()).isLessThan(600);
  }

  @Test
  void serverErrorsAndRateLimits_areRetryable_andEachDeliverMakesOneRequest() throws Exception {
    cms.stubFor(patch(urlEqualTo("/api/products/A")).willReturn(aResponse().withStatus(503)));
    cms.stubFor(patch(urlEqualTo("/api/products/B")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")));
    CmsSink s = sink().build();

    Throwable unavailable = failure(s.deliver(image(Map.of("sku", "A", "alt", "x"), s3("k"))));
    Throwable limited = failure(s.deliver(image(Map.of("sku", "B", "alt", "x"), s3("k"))));

    assertThat(unavailable).isInstanceOf(SinkException.class).hasMessageContaining("503");
    assertThat(((SinkException) unavailable).retryable()).isTrue();
    assertThat(limited).isInstanceOf(SinkException.class).hasMessageContaining("429");
    assertThat(((SinkException) limited).retryable()).isTrue();
    cms.verify(exactly(1), patchRequestedFor(urlEqualTo("/api/products/A")));
    cms.verify(exactly(1), patchRequestedFor(urlEqualTo("/api/products/B")));
  }

  @Test
  void aRefusedConnection_isRetryable() throws Exception {
    CmsSink s = CmsSink.builder().urlTemplate("http://127.0.0.1:" + SinkFixtures.closedPort() + "/p/{sku}").build();

    Throwable e = failure(s.deliver(image(Map.of("sku", "A"))));

    assertThat(e).isInstanceOf(SinkException.class);
    assertThat(((SinkException) e).retryable()).isTrue();
  }

  @Test
  void theToken_isNeverInAMessage_evenWhenTheServerEchoesIt() throws Exception {
    cms.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(401).withBody("invalid token: Bearer " + TOKEN)));
    CmsSink s = sink().build();

    Throwable e = failure(s.deliver(image(Map.of("sku", "A", "alt", "x"), s3("k"))));

    assertThat(e).hasMessageContaining("401").hasMessageContaining("[REDACTED]").hasMessageNotContaining(TOKEN);
    assertThat(((SinkException) e).retryable()).isFalse();
    assertThat(s.toString()).doesNotContain(TOKEN).contains("PATCH");
  }

  @Test
  void aFailingTokenSupplier_failsTheDelivery_withoutARequest() throws Exception {
    CmsSink s = sink().bearerToken(() -> null).build();

    Throwable e = failure(s.deliver(image(Map.of("sku", "A", "alt", "x"), s3("k"))));

    assertThat(e).isInstanceOf(SinkException.class).hasMessageContaining("no token");
    assertThat(cms.getAllServeEvents()).isEmpty();
  }

  @Test
  void build_refusesAMissingUrl_aPlaceholderHost_andTwoAuthorizations() {
    assertThatThrownBy(() -> CmsSink.builder().build()).hasMessageContaining("urlTemplate");
    assertThatThrownBy(() -> CmsSink.builder().urlTemplate("https://{tenant}.example.com/p/{sku}").build())
        .hasMessageContaining("host");
    assertThatThrownBy(() -> CmsSink.builder().urlTemplate("{base}/p/{sku}").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> CmsSink.builder().urlTemplate("ftp://example.com/{sku}").build())
        .hasMessageContaining("http");
    assertThatThrownBy(() -> CmsSink.builder().urlTemplate("https://example.com/{sku}")
        .bearerToken(() -> TOKEN).header("authorization", "Basic x").build())
        .hasMessageContaining("Authorization");
    assertThatThrownBy(() -> CmsSink.builder().header("Host", "evil")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inAPipeline_aCms404FailsTheJob_keepsTheImage_andNothingIsGeneratedTwice() throws Exception {
    cms.stubFor(patch(urlEqualTo("/api/products/SKU-1")).willReturn(aResponse().withStatus(200)));
    cms.stubFor(patch(urlEqualTo("/api/products/SKU-2")).willReturn(aResponse().withStatus(404).withBody("unknown product SKU-2")));
    // SKU-3's CMS fails once, then works: the pipeline, not the sink, retries.
    cms.stubFor(patch(urlEqualTo("/api/products/SKU-3")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
    cms.stubFor(patch(urlEqualTo("/api/products/SKU-3")).inScenario("flaky").whenScenarioStateIs("recovered")
        .willReturn(aResponse().withStatus(200)));
    ImageSink s3 = image -> CompletableFuture.completedFuture(new SinkReceipt(
        "s3", "https://cdn.example.com/" + image.job().outputKey(), Map.of("key", image.job().outputKey())));
    ImageSink s3Named = new ImageSink() {
      @Override
      public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
        return s3.deliver(image);
      }

      @Override
      public String name() {
        return "s3";
      }
    };
    List<ImageJob> jobs = List.of(job("SKU-1"), job("SKU-2"), job("SKU-3"));

    BatchReport report;
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(7).start();
        ImagePipeline p = ImagePipeline.builder()
            .client(sim.client())
            .outputRoot(dir.resolve("out"))
            .sink(Sinks.chain(s3Named, sink().bodyTemplate("{\"image_url\":\"{s3.url}\"}").build()))
            .sinkRetry(Retry.exponential(3, Duration.ofMillis(1), Duration.ofMillis(5)))
            .build()) {
      report = p.run(JobSource.of(jobs));
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 200)).as("each image generated once").isEqualTo(3);
    }

    assertThat(report.succeeded()).isEqualTo(2);
    assertThat(report.failed()).isEqualTo(1);
    JobResult.Failed failed = report.failures().get(0);
    assertThat(failed.jobId()).isEqualTo("SKU-2");
    assertThat(failed.errorCode()).isEqualTo("SINK_FAILED");
    assertThat(failed.message()).contains("404").contains("unknown product SKU-2").doesNotContain(TOKEN);
    assertThat(failed.outputs()).containsExactly(dir.resolve("out/SKU-2.png"));
    assertThat(Files.size(dir.resolve("out/SKU-2.png"))).isPositive();
    assertThat(failed.receipts()).extracting(SinkReceipt::sink).containsExactly("s3");
    cms.verify(exactly(1), patchRequestedFor(urlEqualTo("/api/products/SKU-2")));
    cms.verify(exactly(2), patchRequestedFor(urlEqualTo("/api/products/SKU-3")));
    cms.verify(patchRequestedFor(urlPathMatching("/api/products/SKU-1"))
        .withRequestBody(equalToJson("{\"image_url\":\"https://cdn.example.com/SKU-1.png\"}")));
  }

  private static ImageJob job(String sku) {
    return ImageJob.builder().id(sku).prompt("Product photo of " + sku).value("sku", sku).outputKey(sku + ".png").build();
  }
}

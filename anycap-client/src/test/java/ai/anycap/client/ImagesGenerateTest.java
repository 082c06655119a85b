package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImagesGenerateTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  private static final String SUCCESS =
      "{\"status\":\"success\",\"data\":{\"model\":\"nano-banana-2\",\"credit_cost\":1,"
          + "\"outputs\":[{\"url\":\"https://cdn.example.test/img.png?sig=abc\"}]},"
          + "\"request_id\":\"req_abc123\",\"extra\":{\"ignored\":true}}";

  @Test
  void generate_flattensParamsAndParsesTheResult() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(SUCCESS)));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();

    ImageGeneration g =
        client.images()
            .generate(
                ImageRequest.builder()
                    .model(Model.NANO_BANANA_2)
                    .prompt("a paper crane on a wooden table")
                    .param("aspect_ratio", "16:9")
                    .build());

    assertThat(g.model()).isEqualTo("nano-banana-2");
    assertThat(g.creditCost()).isEqualByComparingTo(BigDecimal.ONE);
    assertThat(g.outputs()).containsExactly(URI.create("https://cdn.example.test/img.png?sig=abc"));
    assertThat(g.requestId()).contains("req_abc123");
    assertThat(g.traceId()).matches("trc_[0-9a-f]{32}");
    wm.verify(
        postRequestedFor(urlEqualTo("/v1/image/generate"))
            .withRequestBody(
                equalToJson(
                    "{\"model\":\"nano-banana-2\",\"prompt\":\"a paper crane on a wooden table\","
                        + "\"aspect_ratio\":\"16:9\"}",
                    false,
                    false))
            .withHeader("Authorization", equalTo("Bearer " + WireMockSupport.KEY))
            .withHeader("User-Agent", matching("anycap-java/\\S+"))
            .withHeader("X-Trace-Id", equalTo(g.traceId()))
            .withHeader("X-Anycap-Client-Surface", equalTo("sdk"))
            .withHeader("Content-Type", equalTo("application/json")));
  }

  @Test
  void generate_sendsAFreshTraceIdPerCall_unlessTheCallerSetsOne() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(SUCCESS)));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    ImageRequest request = ImageRequest.builder().model("nano-banana-2").prompt("x").build();

    String first = client.images().generate(request).traceId();
    String second = client.images().generate(request).traceId();
    String chosen =
        client.images()
            .generate(request, RequestOptions.builder().traceId("trc_job_42").build())
            .traceId();

    assertThat(first).isNotEqualTo(second);
    assertThat(chosen).isEqualTo("trc_job_42");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/image/generate")).withHeader("X-Trace-Id", equalTo("trc_job_42")));
  }

  @Test
  void generate_imageToImage_sendsModeAndOneReferenceWrappedInAnArray() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(SUCCESS)));
    WireMockSupport.clientFor(wm)
        .build()
        .images()
        .generate(
            ImageRequest.builder()
                .model(Model.NANO_BANANA_PRO)
                .prompt("watercolor")
                .mode(Mode.IMAGE_TO_IMAGE)
                .referenceImage(URI.create("https://example.com/a.jpg"))
                .build());
    wm.verify(
        postRequestedFor(urlEqualTo("/v1/image/generate"))
            .withRequestBody(
                equalToJson(
                    "{\"model\":\"nano-banana-pro\",\"prompt\":\"watercolor\",\"mode\":\"image-to-image\","
                        + "\"images\":[\"https://example.com/a.jpg\"]}")));
  }

  @Test
  void generate_imageToImage_sendsSeveralReferencesAsAnArray() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(SUCCESS)));
    WireMockSupport.clientFor(wm)
        .build()
        .images()
        .generate(
            ImageRequest.builder()
                .model("nano-banana-pro")
                .prompt("merge")
                .mode(Mode.IMAGE_TO_IMAGE)
                .referenceImages(List.of(URI.create("https://e.test/a.jpg"), URI.create("https://e.test/b.jpg")))
                .build());
    wm.verify(
        postRequestedFor(urlEqualTo("/v1/image/generate"))
            .withRequestBody(
                equalToJson(
                    "{\"model\":\"nano-banana-pro\",\"prompt\":\"merge\",\"mode\":\"image-to-image\","
                        + "\"images\":[\"https://e.test/a.jpg\",\"https://e.test/b.jpg\"]}")));
  }

  @Test
  void generateAsync_completesWithTheResult() throws Exception {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(SUCCESS).withFixedDelay(50)));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    ImageGeneration g =
        client.images()
            .generateAsync(ImageRequest.builder().model("nano-banana-2").prompt("x").build())
            .get(10, TimeUnit.SECONDS);
    assertThat(g.firstOutput().getHost()).isEqualTo("cdn.example.test");
  }

  @Test
  void generate_readsTheRequestIdFromTheHeaderWhenTheBodyLacksIt() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                okJson("{\"status\":\"success\",\"data\":{\"credit_cost\":2,\"outputs\":[{\"url\":\"https://c.test/1.png\"}]}}")
                    .withHeader("X-Request-Id", "req_hdr")));
    ImageGeneration g =
        WireMockSupport.clientFor(wm)
            .build()
            .images()
            .generate(ImageRequest.builder().model("seedream-5").prompt("x").build());
    assertThat(g.requestId()).contains("req_hdr");
    assertThat(g.model()).as("falls back to the requested model").isEqualTo("seedream-5");
    assertThat(g.creditCost()).isEqualByComparingTo("2");
  }

  @Test
  void generate_withMalformedSuccessBody_throwsUnexpectedResponse() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withStatus(200).withBody("{not json")));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    ImageRequest request = ImageRequest.builder().model("nano-banana-2").prompt("x").build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.images().generate(request))
        .isInstanceOf(UnexpectedResponseException.class)
        .hasMessageContaining("not JSON")
        .satisfies(e -> assertThat(((AnyCapException) e).retryable()).isTrue());
  }

  @Test
  void generate_withOutputMissingItsUrl_throwsUnexpectedResponse() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(okJson("{\"status\":\"success\",\"data\":{\"outputs\":[{\"u\":1}]}}")));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    ImageRequest request = ImageRequest.builder().model("nano-banana-2").prompt("x").build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.images().generate(request))
        .isInstanceOf(UnexpectedResponseException.class)
        .hasMessageContaining("no 'url'");
  }
}

package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Edit, upscale and read, with URLs and with local files. */
class ImageOperationsTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  @TempDir Path dir;

  private static final String IMAGE =
      "{\"status\":\"success\",\"data\":{\"id\":\"gen_1\",\"model\":\"nano-banana-pro\",\"credit_cost\":1,"
          + "\"outputs\":[{\"url\":\"https://cdn.example.test/edit.png\"}]},\"request_id\":\"req_e1\"}";

  private AnyCapClient client() {
    return WireMockSupport.clientFor(wm).build();
  }

  /** A presign answer whose upload URL is on WireMock, and a PUT that takes it. */
  private void storage(String sessionId, String objectUrl) {
    wm.stubFor(post("/v1/capabilities/presign")
        .withRequestBody(matchingJsonPath("$.filename", equalTo(sessionId + ".png")))
        .willReturn(okJson("{\"status\":\"success\",\"data\":{\"upload_url\":\"" + wm.baseUrl()
            + "/storage/" + sessionId + "\",\"object_url\":\"" + objectUrl + "\",\"reused\":false}}")));
    wm.stubFor(put("/storage/" + sessionId).willReturn(aResponse().withStatus(200)));
  }

  private Path photo(String name, int variant) throws IOException {
    byte[] png = WireMockSupport.png();
    byte[] bytes = java.util.Arrays.copyOf(png, png.length + variant);
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void edit_sendsModelPromptImagesAndParams() {
    wm.stubFor(post("/v1/image/edit").willReturn(okJson(IMAGE)));
    ImageGeneration g = client().images().edit(ImageRequest.builder()
        .model(Model.NANO_BANANA_PRO)
        .prompt("make it blue")
        .referenceImage(URI.create("https://example.com/a.jpg"))
        .param("aspect_ratio", "16:9")
        .build());

    assertThat(g.firstOutput()).isEqualTo(URI.create("https://cdn.example.test/edit.png"));
    assertThat(g.requestId()).contains("req_e1");
    wm.verify(postRequestedFor(urlEqualTo("/v1/image/edit"))
        .withHeader("Authorization", equalTo("Bearer " + WireMockSupport.KEY))
        .withRequestBody(equalToJson("{\"model\":\"nano-banana-pro\",\"prompt\":\"make it blue\","
            + "\"images\":[\"https://example.com/a.jpg\"],\"aspect_ratio\":\"16:9\"}")));
  }

  @Test
  void edit_withoutAnImage_isRefusedBeforeSending() {
    ImageRequest noImage = ImageRequest.builder().model("nano-banana-pro").prompt("x").build();
    assertThatThrownBy(() -> client().images().edit(noImage))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference image");
    assertThat(wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void edit_withLocalFiles_uploadsEachThenSendsTheObjectUrlsInOrder() throws Exception {
    storage("a", "https://objects.example.test/a.png");
    storage("b", "https://objects.example.test/b.png");
    wm.stubFor(post("/v1/image/edit").willReturn(okJson(IMAGE)));

    client().images().editAsync(ImageRequest.builder()
        .model("nano-banana-pro").prompt("merge")
        .referenceImage(photo("a.png", 0))
        .referenceImage(URI.create("https://example.com/c.jpg"))
        .image(ImageRef.of(photo("b.png", 1).toUri().toString()))
        .build()).get(10, TimeUnit.SECONDS);

    wm.verify(2, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
    wm.verify(1, putRequestedFor(urlEqualTo("/storage/a")));
    wm.verify(1, putRequestedFor(urlEqualTo("/storage/b")));
    wm.verify(postRequestedFor(urlEqualTo("/v1/image/edit")).withRequestBody(equalToJson(
        "{\"model\":\"nano-banana-pro\",\"prompt\":\"merge\",\"images\":[\"https://objects.example.test/a.png\","
            + "\"https://example.com/c.jpg\",\"https://objects.example.test/b.png\"]}")));
  }

  @Test
  void generate_withOneLocalFile_wrapsItsObjectUrlInAnArray_andAFileOrUrlParamToo() throws Exception {
    storage("a", "https://objects.example.test/a.png");
    storage("mask", "anycap://upload/file_mask");
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(IMAGE)));

    client().images().generate(ImageRequest.builder()
        .model("nano-banana-pro").prompt("watercolor").mode(Mode.IMAGE_TO_IMAGE)
        .referenceImage(photo("a.png", 0))
        .param("mask", ImageRef.file(photo("mask.png", 3)))
        .build());

    wm.verify(postRequestedFor(urlEqualTo("/v1/image/generate")).withRequestBody(equalToJson(
        "{\"model\":\"nano-banana-pro\",\"prompt\":\"watercolor\",\"mode\":\"image-to-image\","
            + "\"images\":[\"https://objects.example.test/a.png\"],\"mask\":\"anycap://upload/file_mask\"}")));
  }

  @Test
  void upscale_sendsImagesAndResolution_withNoModel() throws Exception {
    wm.stubFor(post("/v1/image/upscale").willReturn(okJson(
        "{\"status\":\"success\",\"data\":{\"credit_cost\":2,\"outputs\":[{\"url\":\"https://c.test/up.png\"}]}}")));

    ImageGeneration g = client().images().upscaleAsync(UpscaleRequest.builder()
        .image(URI.create("anycap://upload/file_1")).resolution("4k").build()).get(10, TimeUnit.SECONDS);

    assertThat(g.creditCost()).isEqualByComparingTo("2");
    assertThat(g.model()).isEqualTo("upscale");
    wm.verify(postRequestedFor(urlEqualTo("/v1/image/upscale")).withRequestBody(
        equalToJson("{\"images\":[\"anycap://upload/file_1\"],\"resolution\":\"4k\"}")));
  }

  @Test
  void read_sendsImagesAsUrlObjects_andAnswersTextAndCredits() throws Exception {
    storage("a", "https://objects.example.test/a.png");
    wm.stubFor(post("/v1/capabilities/image/read").willReturn(okJson(
        "{\"status\":\"success\",\"data\":{\"content\":\"A paper crane.\",\"credit_cost\":1},\"request_id\":\"req_r\"}")));

    ImageReading r = client().images().read(ImageReadRequest.builder()
        .image(photo("a.png", 0)).image(URI.create("https://example.com/b.jpg"))
        .instruction("Describe each image").build());

    assertThat(r.content()).isEqualTo("A paper crane.");
    assertThat(r.creditCost()).isEqualByComparingTo(BigDecimal.ONE);
    assertThat(r.requestId()).contains("req_r");
    wm.verify(postRequestedFor(urlEqualTo("/v1/capabilities/image/read")).withRequestBody(equalToJson(
        "{\"images\":[{\"url\":\"https://objects.example.test/a.png\"},{\"url\":\"https://example.com/b.jpg\"}],"
            + "\"instruction\":\"Describe each image\"}")));
  }

  @Test
  void read_withoutContent_isUnexpected() {
    wm.stubFor(post("/v1/capabilities/image/read").willReturn(okJson("{\"status\":\"success\",\"data\":{}}")));
    ImageReadRequest request = ImageReadRequest.builder()
        .image(URI.create("https://example.com/b.jpg")).instruction("x").build();
    assertThatThrownBy(() -> client().images().read(request))
        .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("data.content");
  }

  @Test
  void a200WithStatusError_isAnError_mappedByItsCode() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(
        "{\"status\":\"error\",\"error\":{\"code\":\"IMAGE_INVALID_REQUEST\",\"message\":\"bad images\"},"
            + "\"data\":{\"outputs\":[{\"url\":\"https://c.test/not-an-image.png\"}]},\"request_id\":\"req_x\"}")));
    wm.stubFor(post("/v1/capabilities/image/read").willReturn(okJson(
        "{\"status\":\"error\",\"error\":\"insufficient_credits\",\"message\":\"no credits\"}")));
    wm.stubFor(post("/v1/image/upscale").willReturn(okJson("{\"status\":\"error\",\"message\":\"something broke\"}")));
    AnyCapClient client = client();

    assertThatThrownBy(() -> client.images().generate(
        ImageRequest.builder().model("nano-banana-2").prompt("x").build()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(200);
          assertThat(e.errorCode()).contains("IMAGE_INVALID_REQUEST");
          assertThat(e.requestId()).contains("req_x");
          assertThat(e.retryable()).isFalse();
        });
    assertThatThrownBy(() -> client.images().read(ImageReadRequest.builder()
        .image(URI.create("https://e.test/a.png")).instruction("x").build()))
        .isInstanceOf(InsufficientCreditException.class).hasMessageContaining("no credits");
    assertThatThrownBy(() -> client.images().upscale(UpscaleRequest.builder()
        .image(URI.create("https://e.test/a.png")).build()))
        .isExactlyInstanceOf(AnyCapServiceException.class)
        .hasMessageContaining("something broke")
        .satisfies(e -> assertThat(((AnyCapException) e).retryable()).isFalse());
  }

  @Test
  void aCachedUploadTheServerNoLongerAccepts_isUploadedAgainOnce() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(
        "{\"status\":\"success\",\"data\":{\"upload_url\":\"" + wm.baseUrl() + "/storage/a\","
            + "\"object_url\":\"https://objects.example.test/a.png\",\"reused\":false}}")));
    wm.stubFor(put("/storage/a").willReturn(aResponse().withStatus(200)));
    wm.stubFor(post("/v1/image/edit").inScenario("expiry").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(IMAGE)).willSetStateTo("expired"));
    wm.stubFor(post("/v1/image/edit").inScenario("expiry").whenScenarioStateIs("expired")
        .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"code\":\"IMAGE_INVALID_REQUEST\","
            + "\"message\":\"unknown object https://objects.example.test/a.png\"}}"))
        .willSetStateTo("fresh"));
    wm.stubFor(post("/v1/image/edit").inScenario("expiry").whenScenarioStateIs("fresh").willReturn(okJson(IMAGE)));
    AnyCapClient client = client();
    ImageRequest request = ImageRequest.builder().model("nano-banana-pro").prompt("p")
        .referenceImage(photo("a.png", 0)).build();

    client.images().edit(request);
    ImageGeneration second = client.images().edit(request);

    assertThat(second.firstOutput()).isEqualTo(URI.create("https://cdn.example.test/edit.png"));
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
    wm.verify(2, putRequestedFor(urlEqualTo("/storage/a")));
    wm.verify(3, postRequestedFor(urlEqualTo("/v1/image/edit")));
  }

  @Test
  void aRefusalNotAboutTheCachedUpload_isNotRetried() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(
        "{\"data\":{\"object_url\":\"https://objects.example.test/a.png\",\"reused\":true}}")));
    wm.stubFor(post("/v1/image/edit").willReturn(aResponse().withStatus(400).withBody(
        "{\"error\":{\"code\":\"IMAGE_INVALID_REQUEST\",\"message\":\"unknown parameter 'style'\","
            + "\"details\":[{\"field\":\"style\"}]}}")));
    AnyCapClient client = client();
    client.images().upload(photo("a.png", 0));
    ImageRequest request = ImageRequest.builder().model("nano-banana-pro").prompt("p")
        .referenceImage(dir.resolve("a.png")).param("style", "x").build();

    assertThatThrownBy(() -> client.images().edit(request)).isInstanceOf(InvalidRequestException.class);
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/image/edit")));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
  }

  @Test
  void schema_readsTheJsonSchemaForm_withFileOrUrlItems_forEdit() {
    wm.stubFor(get(urlPathEqualTo("/v1/image/models/nano-banana-pro/schema")).willReturn(okJson(
        "{\"schemas\":[{\"operation\":\"edit\",\"mode\":\"image-to-image\",\"schema\":{\"model_params\":{"
            + "\"type\":\"object\",\"required\":[\"prompt\",\"images\"],\"properties\":{"
            + "\"prompt\":{\"type\":\"string\"},"
            + "\"images\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"format\":\"file-or-url\"}},"
            + "\"mask\":{\"type\":\"string\",\"format\":\"file-or-url\"},"
            + "\"aspect_ratio\":{\"type\":[\"string\",\"null\"],\"enum\":[\"1:1\",\"16:9\"],\"description\":\"shape\"}}}}}]}")));

    ModelSchema schema = client().images().schema("nano-banana-pro", "edit", null);

    assertThat(schema.operation()).isEqualTo("edit");
    assertThat(schema.mode()).isEqualTo(Mode.IMAGE_TO_IMAGE);
    assertThat(schema.parameters().keySet()).containsExactly("prompt", "images", "mask", "aspect_ratio");
    assertThat(schema.parameter("images").orElseThrow()).satisfies(p -> {
      assertThat(p.type()).isEqualTo("array");
      assertThat(p.required()).isTrue();
      assertThat(p.takesFiles()).isTrue();
    });
    assertThat(schema.parameter("mask").orElseThrow().takesFiles()).isTrue();
    assertThat(schema.parameter("prompt").orElseThrow().takesFiles()).isFalse();
    assertThat(schema.parameter("aspect_ratio").orElseThrow()).satisfies(p -> {
      assertThat(p.type()).isEqualTo("string");
      assertThat(p.required()).isFalse();
      assertThat(p.enumValues()).containsExactly("1:1", "16:9");
      assertThat(p.description()).isEqualTo("shape");
    });
    wm.verify(getRequestedFor(urlPathEqualTo("/v1/image/models/nano-banana-pro/schema"))
        .withQueryParam("operation", equalTo("edit")));

    ImageRequest missingImages = ImageRequest.builder().model("nano-banana-pro").prompt("p")
        .param("aspect_ratio", "4:3").build();
    assertThat(schema.check(missingImages)).extracting(SchemaViolation::parameter, SchemaViolation::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("images", SchemaViolation.Kind.MISSING_REQUIRED),
            org.assertj.core.groups.Tuple.tuple("aspect_ratio", SchemaViolation.Kind.NOT_IN_ENUM));
    ImageRequest good = missingImages.toBuilder().param("aspect_ratio", "16:9")
        .referenceImage(dir.resolve("a.png")).param("mask", ImageRef.file(dir.resolve("m.png"))).build();
    assertThat(schema.check(good)).isEmpty();
  }

  @Test
  void schema_readsTheFlatForm_withFileOrUrlOnItems() {
    wm.stubFor(get(urlPathEqualTo("/v1/image/models/m/schema")).willReturn(okJson(
        "{\"schemas\":[{\"operation\":\"generate\",\"mode\":\"image-to-image\",\"schema\":{\"model_params\":{"
            + "\"prompt\":{\"type\":\"string\",\"required\":true},"
            + "\"images\":{\"type\":\"array\",\"required\":true,\"items\":{\"type\":\"string\",\"format\":\"file-or-url\"}},"
            + "\"properties\":{\"type\":\"string\"}}}}]}")));

    ModelSchema schema = client().images().schema("m", "generate", Mode.IMAGE_TO_IMAGE);

    assertThat(schema.parameters().keySet()).containsExactly("prompt", "images", "properties");
    assertThat(schema.parameter("images").orElseThrow().takesFiles()).isTrue();
    assertThat(schema.parameter("images").orElseThrow().required()).isTrue();
    assertThat(schema.parameter("properties").orElseThrow().takesFiles()).isFalse();
  }

  @Test
  void status_exposesBalanceUserAndVersion_inTheRecordedShape() {
    wm.stubFor(get("/v1/status").willReturn(okJson(
        "{\"data\":{\"user\":{\"id\":\"u_1\",\"email\":\"a@b.test\"},\"credits\":{\"balance\":42},"
            + "\"server\":{\"version\":\"2.3.4\"}}}")));
    ServiceStatus s = client().status();
    assertThat(s.creditBalance()).contains(new BigDecimal("42"));
    assertThat(s.user()).hasValueSatisfying(u -> assertThat(u).containsEntry("id", "u_1"));
    assertThat(s.version()).contains("2.3.4");
    assertThat(s.json()).contains("\"balance\":42");
  }

  @Test
  void status_toleratesAnyShape() {
    wm.stubFor(get("/v1/status").willReturn(okJson("{\"credits\":\"lots\",\"user\":null,\"server\":\"x\"}")));
    ServiceStatus s = client().status();
    assertThat(s.creditBalance()).isEmpty();
    assertThat(s.user()).isEmpty();
    assertThat(s.version()).isEmpty();
    assertThat(s.authenticated()).isEmpty();
    wm.stubFor(get("/v1/status").willReturn(okJson("[]")));
    assertThat(client().status().fields()).isEmpty();
  }
}

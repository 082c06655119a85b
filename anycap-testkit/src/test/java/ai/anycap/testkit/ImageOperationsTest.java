package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageFormat;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageReadRequest;
import ai.anycap.client.ImageReading;
import ai.anycap.client.ImageRef;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.InsufficientCreditException;
import ai.anycap.client.InvalidRequestException;
import ai.anycap.client.Mode;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.ModelSchema;
import ai.anycap.client.ServerException;
import ai.anycap.client.UpscaleRequest;
import ai.anycap.client.UploadedImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Edit, upscale, read, both schema forms and the status balance, through the real client. */
@Timeout(60)
class ImageOperationsTest {

  @TempDir Path dir;

  @Test
  void edit_ofALocalFile_givesARealPng_andIsBilledAsAnImage() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().credits(10).start()) {
      Path photo = TestImages.png(dir, "mug.png", 0xcc3300);
      AnyCapClient client = sim.client();

      ImageGeneration g = client.images().edit(ImageRequest.builder().model("nano-banana-pro")
          .prompt("restyle as a watercolor").referenceImage(photo).param("aspect_ratio", "16:9").build());
      Path out = client.images().download(g.firstOutput(), dir.resolve("out.png"));

      assertThat(ImageFormat.detect(out)).contains(ImageFormat.PNG);
      assertThat(javax.imageio.ImageIO.read(out.toFile()).getWidth()).isEqualTo(256);
      assertThat(g.model()).isEqualTo("nano-banana-pro");
      assertThat(g.creditCost()).isEqualByComparingTo(BigDecimal.ONE);
      SimulatorCounters c = sim.counters();
      assertThat(c.edits()).isEqualTo(1);
      assertThat(c.imagesGenerated()).isZero();
      assertThat(c.requests(SimulatorCounters.EDIT, 200)).isEqualTo(1);
      assertThat(sim.creditBalance()).isEqualTo(9);
    }
  }

  @Test
  void edit_refusesAMissingImageAndAnUnknownModel_namingEach() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      ImageRequest local = ImageRequest.builder().model("nano-banana-pro").prompt("p")
          .referenceImage(URI.create("https://example.com/a.png")).build();
      assertThatThrownBy(() -> sim.client().images().edit(local.toBuilder().model("dall-e-9").build()))
          .isInstanceOfSatisfying(InvalidRequestException.class,
              e -> assertThat(e.details()).singleElement().satisfies(d -> assertThat(d).containsEntry("field", "model")));
      ImageRequest bogusUpload = local.toBuilder().image(ImageRef.of("anycap://upload/file_404")).build();
      assertThatThrownBy(() -> sim.client().images().edit(bogusUpload))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("anycap://upload/file_404");
      assertThat(sim.counters().edits()).isZero();
      assertThat(sim.counters().creditsCharged()).isZero();
    }
  }

  @Test
  void upscale_costsTwoCreditsByDefault_andGivesAPng() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().credits(3).start()) {
      AnyCapClient client = sim.client();
      UploadedImage up = client.images().upload(TestImages.png(dir, "a.png", 0x00ff00));

      ImageGeneration g = client.images().upscale(UpscaleRequest.builder()
          .image(ImageRef.of(up.objectUrl())).resolution("4k").build());
      Path out = client.images().download(g.firstOutput(), dir.resolve("up.png"));

      assertThat(g.creditCost()).isEqualByComparingTo("2");
      assertThat(ImageFormat.detect(out)).contains(ImageFormat.PNG);
      assertThatThrownBy(() -> client.images().upscale(UpscaleRequest.builder()
          .image(ImageRef.of(up.objectUrl())).build()))
          .isInstanceOf(InsufficientCreditException.class);
      assertThatThrownBy(() -> client.images().upscale(UpscaleRequest.builder()
          .image(ImageRef.of(up.objectUrl())).resolution("16k").build()))
          .isInstanceOf(InvalidRequestException.class).hasMessageContaining("16k");
      SimulatorCounters c = sim.counters();
      assertThat(c.upscales()).isEqualTo(1);
      assertThat(c.creditsCharged()).isEqualTo(2);
    }
  }

  @Test
  void read_answersDeterministicTextNamingEachImage_atTheConfiguredCost() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().readCredits(3).start()) {
      AnyCapClient client = sim.client();
      Path photo = TestImages.png(dir, "crane.png", 0xffffff);
      ImageGeneration generated = client.images().generate(
          ImageRequest.builder().model("nano-banana-2").prompt("a crane").build());
      ImageReadRequest request = ImageReadRequest.builder()
          .image(photo).image(generated.firstOutput()).image(URI.create("https://example.com/x.jpg"))
          .instruction("Describe each image").build();

      ImageReading first = client.images().read(request);
      ImageReading second = client.images().read(request);

      assertThat(first.creditCost()).isEqualByComparingTo("3");
      assertThat(first.content()).isEqualTo(second.content())
          .contains("Describe each image")
          .contains("Image 1: " + sim.baseUri() + "/objects/").contains("'crane.png', image/png")
          .contains("Image 2: " + generated.firstOutput()).contains("generated")
          .contains("Image 3: https://example.com/x.jpg - not fetched");
      assertThat(sim.counters().reads()).isEqualTo(2);
      assertThat(sim.counters().creditsCharged()).isEqualTo(1 + 3 + 3);
    }
  }

  @Test
  void imageOperationFaults_hitEditUpscaleAndReadToo() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.serverError(503).onRequests(1, 2, 3)).start()) {
      URI url = URI.create("https://example.com/a.png");
      assertThatThrownBy(() -> sim.client().images().edit(
          ImageRequest.builder().model("nano-banana-pro").prompt("p").referenceImage(url).build()))
          .isInstanceOf(ServerException.class);
      assertThatThrownBy(() -> sim.client().images().upscale(UpscaleRequest.builder().image(url).build()))
          .isInstanceOf(ServerException.class);
      assertThatThrownBy(() -> sim.client().images().read(
          ImageReadRequest.builder().image(url).instruction("x").build()))
          .isInstanceOf(ServerException.class);
      assertThat(sim.counters().creditsCharged()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(SchemaForm.class)
  void bothSchemaForms_readTheSame_andMarkFileOrUrl(SchemaForm form) {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().schemaForm(form).start()) {
      AnyCapClient client = sim.client();
      ModelSchema i2i = client.images().schema("nano-banana-pro", "generate", Mode.IMAGE_TO_IMAGE);
      ModelSchema edit = client.images().schema("nano-banana-pro", "edit", null);
      ModelInfo info = client.images().model("nano-banana-pro");

      for (ModelSchema s : new ModelSchema[] {i2i, edit}) {
        assertThat(s.parameters().keySet()).containsExactly("prompt", "images", "aspect_ratio", "resolution");
        assertThat(s.parameter("images").orElseThrow().takesFiles()).isTrue();
        assertThat(s.parameter("images").orElseThrow().required()).isTrue();
        assertThat(s.parameter("prompt").orElseThrow().required()).isTrue();
        assertThat(s.parameter("aspect_ratio").orElseThrow().required()).isFalse();
        assertThat(s.parameter("aspect_ratio").orElseThrow().takesFiles()).isFalse();
      }
      assertThat(edit.operation()).isEqualTo("edit");
      assertThat(info.supports("edit", Mode.IMAGE_TO_IMAGE)).isTrue();
      ImageRequest good = ImageRequest.builder().model("nano-banana-pro").prompt("p")
          .referenceImage(dir.resolve("photo.png")).build();
      assertThat(edit.check(good)).isEmpty();
      assertThat(edit.check(good.toBuilder().param("aspect_ratio", "2:1").build())).hasSize(1);
    }
  }

  @Test
  void status_carriesTheCreditBalance() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().credits(42).start()) {
      assertThat(sim.client().status().creditBalance()).contains(new BigDecimal(42));
      sim.client().images().generate(ImageRequest.builder().model("nano-banana-2").prompt("x").build());
      assertThat(sim.client().status().creditBalance()).contains(new BigDecimal(41));
      assertThat(sim.client().status().json()).contains("\"credits\":{\"balance\":41");
    }
    try (AnyCapSimulator unlimited = AnyCapSimulator.create()) {
      assertThat(unlimited.client().status().creditBalance()).isEmpty();
    }
  }

  /**
   * The CLI's recorded sequence, byte for byte and without the SDK: schema, presign, PUT with
   * only Content-Type, generate with the object URL in an array, download, and a PNG.
   */
  @Test
  void theRecordedCliSequence_endsWithAPng() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().apiKey("ak_live_recorded").start()) {
      HttpClient http = HttpClient.newHttpClient();
      ObjectMapper json = new ObjectMapper();
      byte[] bytes = Files.readAllBytes(TestImages.png(dir, "photo.png", 0x224466));
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

      JsonNode schema = json.readTree(api(http, sim, "GET",
          "/v1/image/models/nano-banana-2/schema?operation=generate&mode=image-to-image", null).body());
      assertThat(schema.at("/schemas/0/schema/model_params/properties/images/items/format").asText())
          .isEqualTo("file-or-url");
      JsonNode presign = json.readTree(api(http, sim, "POST", "/v1/capabilities/presign",
          "{\"filename\":\"photo.png\",\"content_type\":\"image/png\",\"content_length\":" + bytes.length
              + ",\"sha256\":\"" + sha + "\"}").body()).get("data");
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(presign.get("upload_url").asText()))
          .header("Content-Type", "image/png").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).isEqualTo(200);
      HttpResponse<String> generate = api(http, sim, "POST", "/v1/image/generate",
          "{\"model\":\"nano-banana-2\",\"prompt\":\"watercolor\",\"mode\":\"image-to-image\",\"images\":[\""
              + presign.get("object_url").asText() + "\"]}");
      assertThat(generate.statusCode()).isEqualTo(200);
      JsonNode data = json.readTree(generate.body()).get("data");
      HttpResponse<byte[]> image = http.send(HttpRequest.newBuilder(URI.create(data.at("/outputs/0/url").asText()))
          .build(), HttpResponse.BodyHandlers.ofByteArray());

      assertThat(ImageFormat.detect(image.body(), image.body().length)).contains(ImageFormat.PNG);
      assertThat(presign.get("reused").asBoolean()).isFalse();
      assertThat(presign.get("upload_session_id").asText()).startsWith("us_");
      assertThat(presign.get("file_id").asText()).startsWith("file_");
      assertThat(sim.counters().protocolViolations()).isEmpty();
      JsonNode counters = json.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUri() + "/_simulator/counters"))
          .build(), HttpResponse.BodyHandlers.ofString()).body());
      assertThat(counters.get("uploads").asLong()).isEqualTo(1);
      assertThat(counters.get("upload_bytes").asLong()).isEqualTo(bytes.length);
      assertThat(counters.get("presigns").asLong()).isEqualTo(1);
    }
  }

  private static HttpResponse<String> api(HttpClient http, AnyCapSimulator sim, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUri() + path))
        .header("Authorization", "Bearer ak_live_recorded")
        .header("X-Trace-Id", "trc_0123456789abcdef0123456789abcdef")
        .header("User-Agent", "anycap-cli/0.6.2")
        .header("X-Anycap-Client-Surface", "cli");
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.ImageFormat;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.InvalidRequestException;
import ai.anycap.client.Mode;
import ai.anycap.client.UploadException;
import ai.anycap.client.UploadedImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The presign and upload endpoints, driven by the real client and by raw HTTP. */
@Timeout(60)
class UploadsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static ImageRequest restyle(Path photo) {
    return ImageRequest.builder().model("nano-banana-pro").prompt("watercolor").mode(Mode.IMAGE_TO_IMAGE)
        .referenceImage(photo).build();
  }

  @Test
  void imageToImage_withALocalFile_uploadsItOnce_andARerunSendsNoBytes() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      Path photo = TestImages.png(dir, "photo.png", 0x3366cc);
      long size = Files.size(photo);

      ImageGeneration g = sim.client().images().generate(restyle(photo));
      Path out = sim.client().images().download(g.firstOutput(), dir.resolve("out.png"));
      sim.client().images().generate(restyle(photo).toBuilder().prompt("oil painting").build());

      assertThat(ImageFormat.detect(out)).contains(ImageFormat.PNG);
      SimulatorCounters c = sim.counters();
      assertThat(c.presigns()).isEqualTo(1);
      assertThat(c.uploads()).isEqualTo(1);
      assertThat(c.uploadBytes()).isEqualTo(size);
      assertThat(c.reusedUploads()).isZero();
      assertThat(c.imagesGenerated()).isEqualTo(2);
      assertThat(c.protocolViolations()).isEmpty();

      AnyCapClient rerun = sim.clientBuilder().build();   // a new process: an empty cache
      UploadedImage again = rerun.images().upload(photo);
      rerun.images().generate(restyle(photo));
      c = sim.counters();
      assertThat(again.reused()).isTrue();
      assertThat(c.presigns()).isEqualTo(2);
      assertThat(c.reusedUploads()).isEqualTo(1);
      assertThat(c.uploads()).isEqualTo(1);
      assertThat(c.uploadBytes()).as("the rerun sent no bytes").isEqualTo(size);
      assertThat(c.requests(SimulatorCounters.UPLOAD)).isEqualTo(1);
    }
  }

  @Test
  void concurrentFirstUsesOfOneFile_makeOnePresign() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().latency(Duration.ofMillis(20)).start()) {
      Path photo = TestImages.png(dir, "photo.png", 0x11aa22);
      AnyCapClient client = sim.client();
      List<CompletableFuture<ImageGeneration>> all = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        all.add(client.images().editAsync(ImageRequest.builder().model("nano-banana-pro")
            .prompt("variant " + i).referenceImage(photo).build()));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      SimulatorCounters c = sim.counters();
      assertThat(c.presigns()).isEqualTo(1);
      assertThat(c.uploads()).isEqualTo(1);
      assertThat(c.edits()).isEqualTo(16);
    }
  }

  @Test
  void anExpiredUpload_isRefusedNamingIt_andTheClientUploadsAgainOnce() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      Path photo = TestImages.png(dir, "photo.png", 0x884422);
      AnyCapClient client = sim.client();
      UploadedImage first = client.images().upload(photo);
      sim.expireUploads();

      ImageRequest byUrl = ImageRequest.builder().model("nano-banana-pro").prompt("p")
          .referenceImage(first.objectUrl()).build();
      assertThatThrownBy(() -> sim.clientBuilder().build().images().edit(byUrl))
          .isInstanceOfSatisfying(InvalidRequestException.class,
              e -> assertThat(e.getMessage()).contains(first.objectUrl().toString()).contains("expired"));

      ImageGeneration g = client.images().edit(ImageRequest.builder().model("nano-banana-pro").prompt("p")
          .referenceImage(photo).build());

      assertThat(g.outputs()).hasSize(1);
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.EDIT, 400)).isEqualTo(2);
      assertThat(c.requests(SimulatorCounters.EDIT, 200)).isEqualTo(1);
      assertThat(c.presigns()).isEqualTo(2);
      assertThat(c.uploads()).isEqualTo(2);
      assertThat(c.creditsCharged()).as("refused edits cost nothing").isEqualTo(1);
    }
  }

  @Test
  void put_refusesALengthOrShaMismatch_aBadToken_anUnknownSession_andAKey() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      byte[] bytes = Files.readAllBytes(TestImages.png(dir, "a.png", 0x123456));
      JsonNode data = presign(sim, bytes.length, sha256(bytes)).get("data");
      URI upload = URI.create(data.get("upload_url").asText());
      assertThat(upload.toString()).startsWith(sim.baseUri() + "/uploads/");

      assertThat(put(upload, java.util.Arrays.copyOf(bytes, bytes.length - 1), null).statusCode()).isEqualTo(400);
      byte[] flipped = bytes.clone();
      flipped[flipped.length - 1] ^= 1;
      HttpResponse<String> sha = put(upload, flipped, null);
      assertThat(sha.statusCode()).isEqualTo(400);
      assertThat(sha.body()).contains("SHA-256 mismatch");
      URI badToken = URI.create(upload.toString().replaceAll("token=[0-9a-f]+", "token=00"));
      assertThat(put(badToken, bytes, null).statusCode()).isEqualTo(403);
      assertThat(put(URI.create(sim.baseUri() + "/uploads/us_999?token=00"), bytes, null).statusCode()).isEqualTo(404);
      assertThat(put(upload, bytes, "Bearer ak_test_simulator").statusCode()).isEqualTo(400);
      assertThat(sim.counters().uploads()).isZero();
      assertThat(sim.counters().protocolViolations()).contains("Authorization header sent to an upload URL");

      assertThat(put(upload, bytes, null).statusCode()).isEqualTo(200);
      SimulatorCounters c = sim.counters();
      assertThat(c.uploads()).isEqualTo(1);
      assertThat(c.requests(SimulatorCounters.UPLOAD, 400)).isEqualTo(3);
      HttpResponse<byte[]> object = http.send(HttpRequest.newBuilder(URI.create(data.get("object_url").asText())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(object.body()).isEqualTo(bytes);
      assertThat(presign(sim, bytes.length, sha256(bytes)).get("data").get("reused").asBoolean()).isTrue();
    }
  }

  @Test
  void presign_validatesItsFields_andRefusesAFileOverTheCapWith413() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().maxUploadBytes(64).start()) {
      HttpResponse<String> bad = post(sim,
          "{\"filename\":\"\",\"content_type\":\"text/plain\",\"content_length\":-1,\"sha256\":\"ABC\"}");
      assertThat(bad.statusCode()).isEqualTo(400);
      JsonNode error = JSON.readTree(bad.body()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("UPLOAD_INVALID_REQUEST");
      assertThat(error.get("details").findValuesAsText("field"))
          .containsExactly("filename", "content_type", "content_length", "sha256");

      Path photo = TestImages.png(dir, "big.png", 0xabcdef);
      assertThat(Files.size(photo)).isGreaterThan(64);
      assertThatThrownBy(() -> sim.client().images().upload(photo))
          .isInstanceOfSatisfying(AnyCapServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(413);
            assertThat(e.errorCode()).contains("FILE_TOO_LARGE");
          });
      assertThat(sim.counters().requests(SimulatorCounters.UPLOAD)).isZero();
    }
  }

  @Test
  void faults_presign413_put5xxRetried_put403Not_slowPutTimedOutThenRetried() throws Exception {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .fault(Fault.presignStatus(413).onNthRequest(1))
        .fault(Fault.uploadStatus(503).onRequests(1, 2))
        .fault(Fault.uploadStatus(403).onNthRequest(4))        // PUTs count across files
        .fault(Fault.slowUpload(Duration.ofSeconds(30)).onNthRequest(5))
        .start()) {
      AnyCapClient client = sim.clientBuilder().uploadTimeout(Duration.ofSeconds(1)).build();
      Path a = TestImages.png(dir, "a.png", 0x010101);
      Path b = TestImages.png(dir, "b.png", 0x020202);
      Path c = TestImages.png(dir, "c.png", 0x030303);

      assertThatThrownBy(() -> client.images().upload(a))
          .isInstanceOfSatisfying(AnyCapServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(413));
      assertThat(client.images().upload(a).reused()).as("503, 503, then stored").isFalse();
      assertThatThrownBy(() -> client.images().upload(b))
          .isInstanceOfSatisfying(UploadException.class, e -> assertThat(e.statusCode()).hasValue(403));
      assertThat(client.images().upload(c).objectUrl()).isNotNull();

      SimulatorCounters n = sim.counters();
      assertThat(n.requests(SimulatorCounters.PRESIGN, 413)).isEqualTo(1);
      assertThat(n.requests(SimulatorCounters.UPLOAD, 503)).isEqualTo(2);
      assertThat(n.requests(SimulatorCounters.UPLOAD, 403)).as("a 403 is not tried again").isEqualTo(1);
      assertThat(n.uploads()).as("a, then c twice (the slow PUT stored it before its late answer)").isEqualTo(3);
      assertThat(n.requests(SimulatorCounters.UPLOAD, 200)).as("the slow one is still unanswered").isEqualTo(2);
    }
  }

  private JsonNode presign(AnyCapSimulator sim, long length, String sha) throws Exception {
    HttpResponse<String> r = post(sim, "{\"filename\":\"a.png\",\"content_type\":\"image/png\","
        + "\"content_length\":" + length + ",\"sha256\":\"" + sha + "\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> post(AnyCapSimulator sim, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(sim.baseUri() + "/v1/capabilities/presign"))
        .header("Authorization", "Bearer ak_test_x").header("X-Trace-Id", "trc_test")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> put(URI url, byte[] bytes, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).header("Content-Type", "image/png")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}

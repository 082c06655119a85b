package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.internal.Pause;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every step of a reference upload, as the CLI was recorded doing it. */
class UploadTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  @TempDir Path dir;

  private final List<Duration> pauses = new CopyOnWriteArrayList<>();

  /** Records the delays asked for and waits for none of them. */
  private AnyCapClient client() {
    Pause recording = d -> {
      pauses.add(d);
      return CompletableFuture.completedFuture(null);
    };
    return WireMockSupport.clientFor(wm).uploadPause(recording).build();
  }

  private Path photo(String name) throws IOException {
    return Files.write(dir.resolve(name), WireMockSupport.png());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private String presigned(boolean reused) {
    return "{\"status\":\"success\",\"data\":{"
        + (reused ? "" : "\"upload_url\":\"" + wm.baseUrl() + "/storage/us_1?sig=s3cr3t\",")
        + "\"object_url\":\"https://objects.example.test/file_1.png\","
        + "\"upload_session_id\":\"us_1\",\"file_id\":\"file_1\",\"reused\":" + reused
        + ",\"unknown_extra\":{\"x\":1}},\"request_id\":\"req_p1\"}";
  }

  @Test
  void upload_presignsFieldByField_thenPutsTheRawBytesWithOnlyContentType() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(false))));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).willReturn(aResponse().withStatus(200)));
    Path file = photo("photo.png");
    byte[] bytes = Files.readAllBytes(file);

    UploadedImage u = client().images().upload(file);

    assertThat(u.objectUrl()).isEqualTo(URI.create("https://objects.example.test/file_1.png"));
    assertThat(u.sha256()).isEqualTo(sha256(bytes));
    assertThat(u.size()).isEqualTo(bytes.length);
    assertThat(u.contentType()).isEqualTo("image/png");
    assertThat(u.reused()).isFalse();
    wm.verify(postRequestedFor(urlEqualTo("/v1/capabilities/presign"))
        .withHeader("Authorization", equalTo("Bearer " + WireMockSupport.KEY))
        .withHeader("Content-Type", equalTo("application/json"))
        .withRequestBody(equalToJson("{\"filename\":\"photo.png\",\"content_type\":\"image/png\","
            + "\"content_length\":" + bytes.length + ",\"sha256\":\"" + sha256(bytes) + "\"}")));
    wm.verify(1, putRequestedFor(urlEqualTo("/storage/us_1?sig=s3cr3t"))
        .withHeader("Content-Type", equalTo("image/png"))
        .withHeader("Authorization", absent())
        .withHeader("X-Trace-Id", absent())
        .withRequestBody(binaryEqualTo(bytes)));
    assertThat(pauses).isEmpty();
  }

  @Test
  void upload_contentTypeComesFromTheExtension() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(true))));
    Path jpegNamed = photo("photo.JPG");

    client().images().upload(jpegNamed);

    wm.verify(postRequestedFor(urlEqualTo("/v1/capabilities/presign"))
        .withRequestBody(equalToJson("{\"filename\":\"photo.JPG\",\"content_type\":\"image/jpeg\"}", true, true)));
  }

  @Test
  void reused_skipsThePut() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(true))));

    UploadedImage u = client().images().upload(photo("photo.png"));

    assertThat(u.reused()).isTrue();
    assertThat(u.objectUrl().toString()).isEqualTo("https://objects.example.test/file_1.png");
    wm.verify(0, putRequestedFor(urlPathEqualTo("/storage/us_1")));
  }

  @Test
  void put5xx_isTriedAgain_250msThen400msApart() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(false))));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).inScenario("flaky").whenScenarioStateIs("second")
        .willReturn(aResponse().withStatus(500)).willSetStateTo("third"));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).inScenario("flaky").whenScenarioStateIs("third")
        .willReturn(aResponse().withStatus(200)));

    UploadedImage u = client().images().upload(photo("photo.png"));

    assertThat(u.reused()).isFalse();
    wm.verify(3, putRequestedFor(urlPathEqualTo("/storage/us_1")));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
    assertThat(pauses).containsExactly(Duration.ofMillis(250), Duration.ofMillis(400));
  }

  @Test
  void put5xx_threeTimes_failsNamingTheFile_withoutTheSignature() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(false))));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).willReturn(aResponse().withStatus(502)));
    Path file = photo("photo.png");

    assertThatThrownBy(() -> client().images().upload(file))
        .isInstanceOfSatisfying(UploadException.class, e -> {
          assertThat(e.reason()).isEqualTo(UploadException.Reason.HTTP_STATUS);
          assertThat(e.statusCode()).hasValue(502);
          assertThat(e.file()).isEqualTo(file.toAbsolutePath());
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).contains(file.toString()).doesNotContain("s3cr3t");
        });
    wm.verify(3, putRequestedFor(urlPathEqualTo("/storage/us_1")));
    assertThat(pauses).hasSize(2);
  }

  @Test
  void put4xx_isNeverTriedAgain() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(false))));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).willReturn(aResponse().withStatus(403).withBody("expired")));
    Path file = photo("photo.png");

    assertThatThrownBy(() -> client().images().upload(file))
        .isInstanceOfSatisfying(UploadException.class, e -> {
          assertThat(e.statusCode()).hasValue(403);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("may have expired");
        });
    wm.verify(1, putRequestedFor(urlPathEqualTo("/storage/us_1")));
    assertThat(pauses).isEmpty();
  }

  @Test
  void presign413_isAServiceError_andNothingIsPut() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(aResponse().withStatus(413)
        .withBody("{\"error\":\"file_too_large\",\"message\":\"files are limited to 10 MB\",\"request_id\":\"req_9\"}")));
    Path file = photo("photo.png");

    assertThatThrownBy(() -> client().images().upload(file))
        .isInstanceOfSatisfying(AnyCapServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(413);
          assertThat(e.errorCode()).contains("file_too_large");
          assertThat(e.retryable()).isFalse();
        });
    wm.verify(0, putRequestedFor(urlPathEqualTo("/storage/us_1")));
  }

  @Test
  void presignAnswerWithoutObjectUrl_orWithoutUploadUrl_isUnexpected() throws Exception {
    Path file = photo("photo.png");
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson("{\"data\":{\"upload_url\":\"" + wm.baseUrl() + "/s\"}}")));
    assertThatThrownBy(() -> client().images().upload(file))
        .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("object_url");
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson("{\"data\":{\"object_url\":\"https://o.test/1\",\"reused\":false}}")));
    assertThatThrownBy(() -> client().images().upload(file))
        .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("upload_url");
    wm.verify(0, putRequestedFor(urlPathEqualTo("/s")));
  }

  @Test
  void badLocalFiles_areRefusedBeforePresign_namingTheFile() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.png"), "hello, not an image");
    Path big = Files.write(dir.resolve("big.png"), new byte[2048]);
    Path missing = dir.resolve("missing.png");
    AnyCapClient client = WireMockSupport.clientFor(wm).maxUploadBytes(1024).build();

    assertThatThrownBy(() -> client.images().upload(text))
        .isInstanceOfSatisfying(UploadException.class,
            e -> assertThat(e.reason()).isEqualTo(UploadException.Reason.NOT_AN_IMAGE))
        .hasMessageContaining(text.toString()).hasMessageContaining("magic bytes");
    assertThatThrownBy(() -> client.images().upload(big))
        .isInstanceOfSatisfying(UploadException.class,
            e -> assertThat(e.reason()).isEqualTo(UploadException.Reason.TOO_LARGE))
        .hasMessageContaining(big.toString()).hasMessageContaining("1024");
    assertThatThrownBy(() -> client.images().upload(missing))
        .isInstanceOfSatisfying(UploadException.class,
            e -> assertThat(e.reason()).isEqualTo(UploadException.Reason.FILE_MISSING))
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> client.images().upload(dir))
        .isInstanceOfSatisfying(UploadException.class,
            e -> assertThat(e.reason()).isEqualTo(UploadException.Reason.FILE_UNREADABLE));
    for (Path bad : List.of(text, big, missing, dir)) {
      assertThatThrownBy(() -> client.images().checkReference(bad))
          .isInstanceOf(UploadException.class).hasMessageContaining(bad.toString());
      assertThatThrownBy(() -> client.images().referenceSha256(bad))
          .isInstanceOf(UploadException.class).hasMessageContaining(bad.toString());
    }
    client.images().checkReference(photo("ok.png"));
    ImageRequest request = ImageRequest.builder().model("m").prompt("p").referenceImage(text).build();
    assertThatThrownBy(() -> client.images().generate(request)).isInstanceOf(UploadException.class);
    assertThat(wm.getAllServeEvents()).as("nothing was sent").isEmpty();
  }

  @Test
  void theSameBytes_areUploadedOncePerClient_whateverTheFileName() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(false))));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).willReturn(aResponse().withStatus(200)));
    AnyCapClient client = client();

    UploadedImage first = client.images().upload(photo("a.png"));
    UploadedImage again = client.images().upload(photo("a.png"));
    UploadedImage copy = client.images().upload(photo("copy-of-a.png"));

    assertThat(again).isEqualTo(first);
    assertThat(copy.objectUrl()).isEqualTo(first.objectUrl());
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
    wm.verify(1, putRequestedFor(urlPathEqualTo("/storage/us_1")));
  }

  @Test
  void concurrentFirstUses_shareOnePresignAndOnePut() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(false)).withFixedDelay(300)));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).willReturn(aResponse().withStatus(200)));
    AnyCapClient client = client();
    Path file = photo("a.png");

    List<CompletableFuture<UploadedImage>> all = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      all.add(client.images().uploadAsync(file));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

    assertThat(all).extracting(CompletableFuture::join).extracting(UploadedImage::objectUrl).containsOnly(
        URI.create("https://objects.example.test/file_1.png"));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
    wm.verify(1, putRequestedFor(urlPathEqualTo("/storage/us_1")));
  }

  @Test
  void aFailedUpload_isNotCached() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").inScenario("p").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
    wm.stubFor(post("/v1/capabilities/presign").inScenario("p").whenScenarioStateIs("ok")
        .willReturn(okJson(presigned(true))));
    AnyCapClient client = client();
    Path file = photo("a.png");

    assertThatThrownBy(() -> client.images().upload(file)).isInstanceOf(ServerException.class);
    assertThat(client.images().upload(file).reused()).isTrue();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/capabilities/presign")));
  }

  @Test
  void referenceSha256_isTheHashTheUploadSends_andSendsNothing() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson(presigned(true))));
    AnyCapClient client = client();
    Path file = photo("a.png");
    String expected = sha256(Files.readAllBytes(file));

    assertThat(client.images().referenceSha256(file)).isEqualTo(expected);
    assertThat(wm.getAllServeEvents()).as("hashing sends nothing").isEmpty();
    client.images().upload(file);

    wm.verify(1, postRequestedFor(urlEqualTo("/v1/capabilities/presign"))
        .withRequestBody(equalToJson("{\"sha256\":\"" + expected + "\"}", true, true)));
  }

  @Test
  void referenceSha256_followsTheFile_whenItChanges() throws Exception {
    AnyCapClient client = client();
    Path file = photo("a.png");
    String before = client.images().referenceSha256(file);
    byte[] other = WireMockSupport.png();
    other[other.length - 5] ^= 1; // another image of the same size
    Files.write(file, other);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(file).toMillis() + 2000));

    assertThat(client.images().referenceSha256(file)).isNotEqualTo(before).isEqualTo(sha256(other));
  }
}

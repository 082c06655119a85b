package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.internal.Pause;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client tells its exchange listener of every exchange: API calls, downloads, upload PUTs. */
class ExchangeListenerTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  @TempDir Path dir;

  /** What the listener heard, in order: a request, then its result (by the request's index). */
  private record Heard(ExchangeRequest request, List<ExchangeResult> results) {}

  private final List<Heard> heard = new CopyOnWriteArrayList<>();

  private final ExchangeListener recording = request -> {
    Heard h = new Heard(request, new CopyOnWriteArrayList<>());
    heard.add(h);
    return h.results()::add;
  };

  private AnyCapClientBuilder client() {
    Pause noWait = d -> CompletableFuture.completedFuture(null);
    return WireMockSupport.clientFor(wm).exchangeListener(recording).uploadPause(noWait);
  }

  private String generated(String url) {
    return "{\"status\":\"success\",\"data\":{\"model\":\"nano-banana-2\",\"credit_cost\":1,"
        + "\"outputs\":[{\"url\":\"" + url + "\"}]},\"request_id\":\"req_g1\"}";
  }

  @Test
  void generateAndDownload_areTwoExchanges_withRoutesStatusesAndIds_neverAUrlOrTheKey() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(generated(wm.baseUrl() + "/artifacts/a1.png?sig=s3cr3t"))));
    wm.stubFor(get(urlPathEqualTo("/artifacts/a1.png")).willReturn(aResponse().withStatus(200).withBody(WireMockSupport.png())));
    AnyCapClient client = client().build();

    ImageGeneration g = client.images().generate(
        ImageRequest.builder().model("nano-banana-2").prompt("a crane").build(),
        RequestOptions.builder().traceId("trc_job_7").build());
    client.images().download(g.firstOutput(), dir.resolve("a1.png"));

    assertThat(heard).hasSize(2);
    Heard generate = heard.get(0);
    assertThat(generate.request()).isEqualTo(new ExchangeRequest("POST /v1/image/generate", "trc_job_7"));
    assertThat(generate.results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.errorCode()).isNull();
      assertThat(r.requestId()).isEqualTo("req_g1");
      assertThat(r.succeeded()).isTrue();
      assertThat(r.duration()).isPositive();
    });
    Heard download = heard.get(1);
    assertThat(download.request()).isEqualTo(new ExchangeRequest(ExchangeRequest.DOWNLOAD, null));
    assertThat(download.results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.succeeded()).isTrue();
    });
    assertThat(heard.toString()).doesNotContain(WireMockSupport.KEY).doesNotContain("s3cr3t").doesNotContain("http");
  }

  @Test
  void failures_carryTheStatusAndErrorCode_andTheFailureTheCallerGets() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")
        .withHeader("X-Request-Id", "req_429")
        .withBody("{\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\",\"retry_same_request\":true}}")));
    wm.stubFor(get(urlPathEqualTo("/artifacts/gone.png")).willReturn(aResponse().withStatus(403)));
    AnyCapClient client = client().build();

    assertThatThrownBy(() -> client.images().generate(ImageRequest.builder().model("m").prompt("p").build()))
        .isInstanceOf(RateLimitException.class);
    assertThatThrownBy(() -> client.images().download(URI.create(wm.baseUrl() + "/artifacts/gone.png"), dir.resolve("g.png")))
        .isInstanceOf(DownloadException.class);

    assertThat(heard.get(0).results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.errorCode()).isEqualTo("RATE_LIMITED");
      assertThat(r.requestId()).isEqualTo("req_429");
      assertThat(r.failure()).isInstanceOf(RateLimitException.class);
    });
    assertThat(heard.get(1).results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorCode()).isEqualTo("DOWNLOAD_HTTP_STATUS");
      assertThat(r.failure()).isInstanceOf(DownloadException.class);
    });
  }

  @Test
  void noAnswer_isStatusZeroAndTransport() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    AnyCapClient client = client().endpoint(URI.create("http://127.0.0.1:" + closedPort)).build();

    assertThatThrownBy(client::status).isInstanceOf(AnyCapIoException.class);

    assertThat(heard).singleElement().satisfies(h -> {
      assertThat(h.request().endpoint()).isEqualTo("GET /v1/status");
      assertThat(h.request().traceId()).matches("trc_[0-9a-f]{32}");
      assertThat(h.results()).singleElement().satisfies(r -> {
        assertThat(r.status()).isZero();
        assertThat(r.errorCode()).isEqualTo("TRANSPORT");
      });
    });
  }

  @Test
  void modelRoutes_areBounded_withoutTheModelIdOrQuery() {
    wm.stubFor(get(urlPathMatching("/v1/image/models/.*")).willReturn(aResponse().withStatus(404)
        .withBody("{\"error\":{\"code\":\"MODEL_NOT_FOUND\",\"message\":\"no such model\"}}")));
    AnyCapClient client = client().build();

    assertThatThrownBy(() -> client.images().model("secret-model-x")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.images().schema("secret-model-x", "generate", null)).isInstanceOf(NotFoundException.class);

    assertThat(heard).extracting(h -> h.request().endpoint())
        .containsExactly("GET /v1/image/models/{model}", "GET /v1/image/models/{model}/schema");
    assertThat(heard).allSatisfy(h -> assertThat(h.results()).singleElement()
        .satisfies(r -> assertThat(r.errorCode()).isEqualTo("MODEL_NOT_FOUND")));
    wm.verify(2, getRequestedFor(urlPathMatching("/v1/image/models/secret-model-x.*")));
  }

  @Test
  void uploads_arePresignThenEachPutAttempt() throws Exception {
    wm.stubFor(post("/v1/capabilities/presign").willReturn(okJson("{\"status\":\"success\",\"data\":{"
        + "\"upload_url\":\"" + wm.baseUrl() + "/storage/us_1?sig=s3cr3t\",\"object_url\":\"https://objects.example.test/f.png\","
        + "\"upload_session_id\":\"us_1\",\"file_id\":\"f\",\"reused\":false},\"request_id\":\"req_p\"}")));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).inScenario("put").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
    wm.stubFor(put(urlPathEqualTo("/storage/us_1")).inScenario("put").whenScenarioStateIs("second")
        .willReturn(aResponse().withStatus(200)));
    Path file = Files.write(dir.resolve("ref.png"), WireMockSupport.png());

    client().build().images().upload(file);

    assertThat(heard).extracting(h -> h.request().endpoint())
        .containsExactly("POST /v1/capabilities/presign", ExchangeRequest.UPLOAD, ExchangeRequest.UPLOAD);
    assertThat(heard).extracting(h -> h.results().get(0).status()).containsExactly(200, 503, 200);
    assertThat(heard.get(1).results().get(0).errorCode()).isEqualTo("UPLOAD_HTTP_STATUS");
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/capabilities/presign")));
    wm.verify(2, putRequestedFor(urlPathEqualTo("/storage/us_1")));
  }

  @Test
  void aListenerThatThrows_neverFailsTheCall() {
    wm.stubFor(post("/v1/image/generate").willReturn(okJson(generated("https://cdn.example.test/x.png"))));
    AnyCapClient client = WireMockSupport.clientFor(wm).exchangeListener(request -> {
      throw new IllegalStateException("broken listener");
    }).build();

    ImageGeneration g = client.images().generate(ImageRequest.builder().model("m").prompt("p").build());

    assertThat(g.requestId()).contains("req_g1");
  }
}

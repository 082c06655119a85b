package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorMappingTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  private static final ImageRequest REQUEST =
      ImageRequest.builder().model("nano-banana-2").prompt("a cat").build();

  static Stream<Arguments> statuses() {
    return Stream.of(
        Arguments.of(400, InvalidRequestException.class, false),
        Arguments.of(422, InvalidRequestException.class, false),
        Arguments.of(401, AuthenticationException.class, false),
        Arguments.of(402, InsufficientCreditException.class, false),
        Arguments.of(403, PermissionDeniedException.class, false),
        Arguments.of(404, NotFoundException.class, false),
        Arguments.of(409, AnyCapServiceException.class, false),
        Arguments.of(429, RateLimitException.class, true),
        Arguments.of(500, ServerException.class, true),
        Arguments.of(502, ServerException.class, true),
        Arguments.of(503, ServerException.class, true),
        Arguments.of(504, ServerException.class, true));
  }

  @ParameterizedTest(name = "{0} structured -> {1}")
  @MethodSource("statuses")
  void structuredEnvelope_mapsToTheTypeForTheStatus(
      int status, Class<? extends AnyCapServiceException> type, boolean retryable) {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"error\":{\"code\":\"SOME_CODE\",\"message\":\"it went wrong\",\"hint\":\"try that\","
                            + "\"details\":[{\"field\":\"prompt\"}]},"
                            + "\"diagnostics\":{\"trace_id\":\"trc_server\",\"request_id\":\"req_9\","
                            + "\"task_id\":\"\",\"upstream_request_id\":\"\",\"stage\":\"\"}}")));

    AnyCapServiceException e = generateExpecting(type);

    assertThat(e.getClass()).isEqualTo(type);
    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.errorCode()).contains("SOME_CODE");
    assertThat(e.serverMessage()).contains("it went wrong");
    assertThat(e.hint()).contains("try that");
    assertThat(e.requestId()).contains("req_9");
    assertThat(e.traceId()).contains("trc_server");
    assertThat(e.details()).hasSize(1).first().satisfies(d -> assertThat(d).containsEntry("field", "prompt"));
    assertThat(e.retryable()).isEqualTo(retryable);
    assertThat(e.getMessage())
        .contains(String.valueOf(status))
        .contains("POST /v1/image/generate")
        .contains("it went wrong")
        .contains("req_9");
  }

  @ParameterizedTest(name = "{0} flat -> {1}")
  @MethodSource("statuses")
  void flatEnvelope_mapsToTheTypeForTheStatus(
      int status, Class<? extends AnyCapServiceException> type, boolean retryable) {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withBody(
                        "{\"error\":\"some_code\",\"message\":\"flat message\",\"hint\":\"top up\",\"request_id\":\"req_2\"}")));

    AnyCapServiceException e = generateExpecting(type);

    assertThat(e.getClass()).isEqualTo(type);
    assertThat(e.errorCode()).contains("some_code");
    assertThat(e.serverMessage()).contains("flat message");
    assertThat(e.hint()).contains("top up");
    assertThat(e.requestId()).contains("req_2");
    assertThat(e.traceId()).hasValueSatisfying(t -> assertThat(t).matches("trc_[0-9a-f]{32}"));
    assertThat(e.retryable()).isEqualTo(retryable);
  }

  @Test
  void retrySameRequestFalse_winsOverARetryableStatus() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(503)
                    .withBody("{\"error\":{\"code\":\"UPSTREAM\",\"message\":\"m\",\"retry_same_request\":false}}")));
    ServerException e = generateExpecting(ServerException.class);
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void errorCodesThatForbidResubmission_areNotRetryable_evenOn5xx() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(500)
                    .withBody("{\"error\":{\"code\":\"IMAGE_BILLING_UNCERTAIN\",\"message\":\"m\"}}")));
    assertThat(generateExpecting(ServerException.class).retryable()).isFalse();
  }

  @Test
  void upstreamUnavailable_isRetryable() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withBody("{\"error\":{\"code\":\"IMAGE_UPSTREAM_UNAVAILABLE\",\"message\":\"m\"}}")));
    assertThat(generateExpecting(InvalidRequestException.class).retryable()).isTrue();
  }

  @Test
  void retryAfterInSeconds_isRead() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("Retry-After", "7")
                    .withBody("{\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\",\"retry_same_request\":true}}")));
    RateLimitException e = generateExpecting(RateLimitException.class);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void retryAfterAsHttpDate_isReadAgainstTheClock() {
    Instant now = Instant.parse("2026-11-25T12:00:00Z");
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("Retry-After", "Wed, 25 Nov 2026 12:00:42 GMT")
                    .withBody("{\"error\":\"rate_limited\",\"message\":\"slow\"}")));
    AnyCapClient client =
        WireMockSupport.clientFor(wm).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    RateLimitException e =
        catchThrowableOfType(() -> client.images().generate(REQUEST), RateLimitException.class);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(42));
  }

  @Test
  void htmlErrorBody_stillGivesAClearMessage() {
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(502)
                    .withHeader("Content-Type", "text/html")
                    .withBody("<html><head><title>502</title></head><body><h1>Bad Gateway</h1>nginx</body></html>")));
    ServerException e = generateExpecting(ServerException.class);
    assertThat(e.getMessage()).contains("502").contains("Bad Gateway").contains("not an AnyCap error");
    assertThat(e.getMessage()).doesNotContain("<h1>");
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void emptyErrorBody_stillGivesAClearMessage() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withStatus(503)));
    ServerException e = generateExpecting(ServerException.class);
    assertThat(e.getMessage()).contains("503").contains("Service Unavailable").contains("empty body");
    assertThat(e.errorCode()).isEmpty();
  }

  @Test
  void jsonWithoutAnErrorField_stillGivesAClearMessage() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withStatus(500).withBody("{\"oops\":1}")));
    ServerException e = generateExpecting(ServerException.class);
    assertThat(e.getMessage()).contains("500").contains("Internal Server Error");
  }

  @Test
  void connectionReset_isAnIoExceptionThatMayHaveReachedTheServer() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    AnyCapIoException e =
        catchThrowableOfType(() -> WireMockSupport.clientFor(wm).build().images().generate(REQUEST), AnyCapIoException.class);
    assertThat(e.mayHaveReachedServer()).isTrue();
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains("POST /v1/image/generate");
  }

  @Test
  void connectionRefused_isAnIoExceptionThatNeverReachedTheServer() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    AnyCapClient client =
        AnyCapClient.builder().apiKey(WireMockSupport.KEY).endpoint(URI.create("http://127.0.0.1:" + port)).build();
    AnyCapIoException e = catchThrowableOfType(() -> client.images().generate(REQUEST), AnyCapIoException.class);
    assertThat(e.mayHaveReachedServer()).isFalse();
    assertThat(e.getMessage()).contains("refused");
  }

  @Test
  void slowServer_timesOutAsAnIoException() {
    wm.stubFor(post("/v1/image/generate").willReturn(aResponse().withStatus(200).withBody("{}").withFixedDelay(3_000)));
    AnyCapClient client = WireMockSupport.clientFor(wm).generateTimeout(Duration.ofMillis(200)).build();
    AnyCapIoException e = catchThrowableOfType(() -> client.images().generate(REQUEST), AnyCapIoException.class);
    assertThat(e.getMessage()).contains("timed out");
    assertThat(e.mayHaveReachedServer()).isTrue();
  }

  private static <T extends AnyCapServiceException> T generateExpecting(Class<T> type) {
    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    T e = catchThrowableOfType(() -> client.images().generate(REQUEST), type);
    assertThat(e).as("expected %s", type.getSimpleName()).isNotNull();
    return e;
  }
}

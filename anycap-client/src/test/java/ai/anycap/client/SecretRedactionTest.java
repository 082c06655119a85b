package ai.anycap.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The API key must never show up in a log line, an exception message or a toString(). */
class SecretRedactionTest {

  @RegisterExtension static WireMockExtension wm = WireMockSupport.server();

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void capture() {
    logger = (Logger) LoggerFactory.getLogger("ai.anycap");
    logger.setLevel(Level.TRACE);
    captured.start();
    logger.addAppender(captured);
  }

  @AfterEach
  void release() {
    logger.detachAppender(captured);
  }

  @Test
  void keyAppearsInNoLogLineExceptionOrToString() {
    wm.stubFor(
        post("/v1/image/generate")
            .inScenario("s")
            .willReturn(
                okJson(
                    "{\"status\":\"success\",\"data\":{\"model\":\"nano-banana-2\",\"credit_cost\":1,"
                        + "\"outputs\":[{\"url\":\"" + wm.baseUrl() + "/a.png\"}]},\"request_id\":\"req_ok\"}")));
    wm.stubFor(get("/a.png").willReturn(aResponse().withBody(WireMockSupport.png())));
    wm.stubFor(
        get("/v1/status")
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody("{\"error\":{\"code\":\"INVALID_KEY\",\"message\":\"key " + WireMockSupport.KEY
                        + " is revoked\"}}")));
    wm.stubFor(get("/v1/image/models").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.stubFor(get("/v1/image/models/x").willReturn(aResponse().withStatus(500).withBody("<html>oops</html>")));

    AnyCapClient client = WireMockSupport.clientFor(wm).build();
    List<String> texts = new ArrayList<>();
    texts.add(client.toString());
    texts.add(client.toBuilder().toString());

    ImageGeneration g =
        client.images().generate(ImageRequest.builder().model("nano-banana-2").prompt("x").build());
    texts.add(g.toString());
    client.images().download(g.firstOutput(), dir.resolve("a.png"));
    for (Runnable call :
        List.<Runnable>of(
            client::status,
            () -> client.images().models(),
            () -> client.images().model("x"),
            () -> client.images().download(URI.create("file:///x"), dir.resolve("b.png")))) {
      try {
        call.run();
      } catch (AnyCapException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          texts.add(String.valueOf(t.getMessage()));
          texts.add(t.toString());
        }
      }
    }
    for (ILoggingEvent event : captured.list) {
      texts.add(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getMessage());
      }
    }

    assertThat(captured.list).as("the client logs its calls at debug").hasSizeGreaterThanOrEqualTo(6);
    assertThat(texts).isNotEmpty().noneMatch(t -> t != null && t.contains(WireMockSupport.KEY));
    assertThat(texts).anyMatch(t -> t.contains("[redacted] is revoked"));
    assertThat(captured.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.matches("POST /v1/image/generate 200 in \\d+ ms request_id=req_ok trace_id=trc_[0-9a-f]{32}"));
  }

  /** The key JSON-escaped in a body, or echoed in the X-Request-Id header, is still the key. */
  @Test
  void keyEchoedEscapedOrInARequestIdHeaderIsRedacted() {
    String escaped = jsonEscapedFirstChars(WireMockSupport.KEY, 3);
    wm.stubFor(
        post("/v1/image/generate")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("X-Request-Id", "req_" + WireMockSupport.KEY)
                    .withBody(
                        "{\"status\":\"success\",\"data\":{\"model\":\"m " + escaped + "\",\"credit_cost\":1,"
                            + "\"outputs\":[{\"url\":\"" + wm.baseUrl() + "/a.png\"}]}}")));
    wm.stubFor(
        get("/v1/status")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("X-Request-Id", WireMockSupport.KEY)
                    .withBody("{\"error\":{\"code\":\"BAD\",\"message\":\"key " + escaped
                        + " is malformed\",\"hint\":\"" + escaped + "\"}}")));
    AnyCapClient client = WireMockSupport.clientFor(wm).build();

    ImageGeneration g =
        client.images().generate(ImageRequest.builder().model("nano-banana-2").prompt("x").build());
    AnyCapServiceException e = org.assertj.core.api.Assertions.catchThrowableOfType(
        AnyCapServiceException.class, client::status);

    assertThat(escaped).doesNotContain(WireMockSupport.KEY).contains("\\u00");
    assertThat(g.model()).isEqualTo("m [redacted]");
    assertThat(g.requestId()).contains("req_[redacted]");
    assertThat(g.toString()).doesNotContain(WireMockSupport.KEY);
    assertThat(e.getMessage()).contains("key [redacted] is malformed").doesNotContain(WireMockSupport.KEY);
    assertThat(e.hint()).isPresent().get().asString().doesNotContain(WireMockSupport.KEY);
    assertThat(e.requestId()).contains("[redacted]");
    for (ILoggingEvent event : captured.list) {
      assertThat(event.getFormattedMessage()).doesNotContain(WireMockSupport.KEY);
    }
  }

  /** {@code key} with its first {@code n} characters written as JSON escapes. */
  private static String jsonEscapedFirstChars(String key, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      out.append(i < n ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}

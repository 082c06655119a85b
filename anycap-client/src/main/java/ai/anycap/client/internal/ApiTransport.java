package ai.anycap.client.internal;

import ai.anycap.client.AnyCapException;
import ai.anycap.client.AnyCapIoException;
import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.RequestOptions;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one JSON call to the AnyCap API: adds the headers every call carries, maps errors to
 * exceptions and logs the outcome (never the key). One attempt per call; retrying is the caller's
 * decision.
 */
public final class ApiTransport {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.client");

  private final HttpClient http;
  private final URI endpoint;
  private final ApiKey apiKey;
  private final Clock clock;
  private final Exchanges exchanges;

  public ApiTransport(HttpClient http, URI endpoint, ApiKey apiKey, Clock clock, Exchanges exchanges) {
    this.http = http;
    this.endpoint = endpoint.toString().endsWith("/") ? endpoint : URI.create(endpoint + "/");
    this.apiKey = apiKey;
    this.clock = clock;
    this.exchanges = exchanges;
  }

  /** A successful response: its parsed body, with the ids that identify the call. */
  public record ApiResponse(JsonNode body, int status, String traceId, String requestId) {}

  /**
   * Sends {@code method path} with an optional JSON body.
   *
   * @param path relative to the endpoint, without a leading slash, query included
   * @param timeout how long to wait for the response headers and body
   */
  public CompletableFuture<ApiResponse> send(
      String method, String path, Object body, Duration timeout, RequestOptions options) {
    String traceId = options.traceId().orElseGet(TraceIds::next);
    Duration effectiveTimeout = options.timeout().orElse(timeout);
    URI uri = endpoint.resolve(path);
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(uri)
            .timeout(effectiveTimeout)
            .header("Authorization", apiKey.authorizationHeader())
            .header("User-Agent", SdkVersion.userAgent())
            .header("X-Trace-Id", traceId)
            .header("X-Anycap-Client-Surface", "sdk")
            .header("Accept", "application/json");
    if (body == null) {
      rb.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      rb.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
    }
    String context = method + " /" + path;
    long started = System.nanoTime();
    Exchanges.Started exchange = exchanges.start(method + " " + route(path), traceId);
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      sent = http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException e) {
      AnyCapIoException io = new AnyCapIoException(context + " could not be sent: " + e.getMessage(), e, false);
      exchange.end(0, null, io);
      return CompletableFuture.failedFuture(io);
    }
    return sent.handle(
        (response, failure) -> {
          long millis = (System.nanoTime() - started) / 1_000_000;
          if (failure != null) {
            AnyCapIoException io = transportFailure(context, traceId, unwrap(failure));
            log.debug("{} failed after {} ms trace_id={}: {}", context, millis, traceId, io.getMessage());
            exchange.end(0, null, io);
            throw io;
          }
          try {
            ApiResponse result = toResult(context, traceId, millis, response);
            exchange.end(response.statusCode(), result.requestId(), null);
            return result;
          } catch (AnyCapException e) {
            String requestId = e instanceof AnyCapServiceException s ? s.requestId().orElse(null) : null;
            exchange.end(response.statusCode(), requestId, e);
            throw e;
          }
        });
  }

  /**
   * The route of {@code path}, bounded for metrics: no query, and a model id replaced by {@code
   * {model}} (the only variable segment of the API's paths).
   */
  static String route(String path) {
    int q = path.indexOf('?');
    String p = q < 0 ? path : path.substring(0, q);
    String models = "v1/image/models/";
    if (p.startsWith(models) && p.length() > models.length()) {
      int slash = p.indexOf('/', models.length());
      return "/" + models + "{model}" + (slash < 0 ? "" : p.substring(slash));
    }
    return "/" + p;
  }

  private ApiResponse toResult(
      String context, String traceId, long millis, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    // Whatever the server sends back may end up in a message, a result or a manifest: a key it
    // echoes (in a header, or JSON-escaped in the body) is taken out before anything reads it.
    String requestId = apiKey.redact(response.headers().firstValue("X-Request-Id").orElse(null));
    byte[] safeBody = withoutKey(response.body());
    if (status < 200 || status > 299) {
      Duration retryAfter =
          RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
      AnyCapException e = ErrorResponses.toException(status, safeBody, retryAfter, context, traceId, requestId);
      log.debug("{} {} in {} ms trace_id={}: {}", context, status, millis, traceId, e.getMessage());
      throw e;
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(safeBody);
    } catch (IOException e) {
      body = null;
    }
    if (body == null || body.isMissingNode() || !body.isContainerNode()) {
      AnyCapException e = Responses.malformed(status, context, traceId, requestId, "body is not JSON");
      log.debug("{} {} in {} ms trace_id={}: {}", context, status, millis, traceId, e.getMessage());
      throw e;
    }
    if (requestId == null) {
      requestId = Json.text(body, "request_id");
    }
    if ("error".equalsIgnoreCase(Json.text(body, "status"))) {
      // A 200 that says it failed is a failure: mapped by its code, never read as a result.
      AnyCapException e = ErrorResponses.toException(status, safeBody, null, context, traceId, requestId);
      log.debug("{} {} status=error in {} ms trace_id={}: {}", context, status, millis, traceId, e.getMessage());
      throw e;
    }
    log.debug("{} {} in {} ms request_id={} trace_id={}", context, status, millis, requestId, traceId);
    return new ApiResponse(body, status, traceId, requestId);
  }

  /** {@code text} with the API key replaced, should a server have echoed it. */
  public String redact(String text) {
    return apiKey.redact(text);
  }

  /** The body with the key taken out wherever the server echoed it, literally or JSON-escaped. */
  private byte[] withoutKey(byte[] body) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    return apiKey.occursIn(text)
        ? apiKey.redact(text).getBytes(java.nio.charset.StandardCharsets.UTF_8)
        : body;
  }

  static AnyCapIoException transportFailure(String context, String traceId, Throwable cause) {
    boolean reached =
        !(cause instanceof ConnectException
            || cause instanceof HttpConnectTimeoutException
            || cause instanceof SSLHandshakeException);
    String what;
    if (cause instanceof HttpConnectTimeoutException) {
      what = "connect timed out";
    } else if (cause instanceof HttpTimeoutException) {
      what = "timed out waiting for the response";
    } else if (cause instanceof ConnectException) {
      what = "connection refused or unreachable";
    } else {
      what = "connection failed (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }
    return new AnyCapIoException(
        context + " " + what + " trace_id=" + traceId
            + (reached ? "; the server may have received the request" : ""),
        cause,
        reached);
  }

  /** The failure inside the {@link CompletionException}s that futures wrap it in; the client's one unwrap. */
  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

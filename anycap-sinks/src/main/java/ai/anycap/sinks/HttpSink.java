package ai.anycap.sinks;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.sinks.internal.SinkCall;
import ai.anycap.sinks.internal.SinkHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that makes one HTTP request per image: {@link CmsSink} or {@link WebhookSink}. What they
 * share: a name, extra headers, the HTTP client and the timeout, and what an answer means. 2xx
 * delivers; 429, 5xx and transport failures are {@linkplain SinkException#retryable()
 * retryable}; any other status is not, and its message quotes the start of the response body.
 * Each {@link #deliver} makes one request: the pipeline retries. Immutable and thread-safe.
 */
public abstract sealed class HttpSink implements ImageSink permits CmsSink, WebhookSink {

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final String name;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, String> headers;

  HttpSink(Builder<?> b) {
    name = b.name;
    timeout = b.timeout;
    http = b.httpClient != null ? b.httpClient : SinkHttp.defaultClient(b.timeout);
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
  }

  /** The sink's name, as configured: in the journal, and in later sinks' placeholders. */
  @Override
  public final String name() {
    return name;
  }

  /**
   * Sends the image's request.
   *
   * @param image the image to tell the endpoint about
   * @return the receipt once the endpoint answered 2xx; fails with a {@link SinkException} otherwise
   */
  @Override
  public final CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
    Objects.requireNonNull(image, "image");
    SinkCall call;
    try {
      call = call(image);
    } catch (SinkException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      // Only the type: a message from deep inside request building could quote a header value.
      return CompletableFuture.failedFuture(
          new SinkException(name, "cannot make the request: " + e.getClass().getName(), false, e));
    }
    CompletableFuture<SinkReceipt> result = new CompletableFuture<>();
    http.sendAsync(call.request(), SinkHttp.boundedText())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                SinkException failure = SinkHttp.transportFailure(name, call.description(), error, call.redact());
                log.debug("{}: {} failed for job {}: {}", name, call.description(), image.job().id(), failure.getMessage());
                result.completeExceptionally(failure);
                return;
              }
              int status = response.statusCode();
              log.debug("{}: {} for job {} -> {}", name, call.description(), image.job().id(), status);
              if (status >= 200 && status < 300) {
                result.complete(call.receipt().apply(response));
              } else {
                result.completeExceptionally(SinkHttp.statusFailure(name, call.description(), response, call.redact()));
              }
            });
    return result;
  }

  /** The request for one image, with the headers and timeout every request of this sink has. */
  abstract SinkCall call(DeliveredImage image);

  /** The request builder every request starts from: the URL, the timeout and the extra headers. */
  final HttpRequest.Builder request(URI url) {
    HttpRequest.Builder r = HttpRequest.newBuilder(url).timeout(timeout);
    headers.forEach(r::header);
    return r;
  }

  /**
   * What the HTTP sinks' builders share. Not thread-safe; {@code build()} copies.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  public abstract static sealed class Builder<B extends Builder<B>> permits CmsSink.Builder, WebhookSink.Builder {
    private String name;
    private HttpClient httpClient;
    private Duration timeout = Duration.ofSeconds(30);
    private final Map<String, String> headers = new LinkedHashMap<>();

    Builder(String defaultName) {
      this.name = defaultName;
    }

    /**
     * The sink's name, for the journal and for later sinks' placeholders ({@code {<name>.url}});
     * default {@code cms} for a {@link CmsSink}, {@code webhook} for a {@link WebhookSink}.
     *
     * @param name a name no other sink of the pipeline has
     * @return this builder
     */
    public final B name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("sink name must not be blank");
      }
      this.name = name;
      return self();
    }

    /**
     * Adds a header to every request, replacing one of the same name (ignoring case); default
     * none. A {@link WebhookSink} sets {@code Content-Type} and the {@code webhook-*} headers
     * itself and refuses them here.
     *
     * @param name the header name
     * @param value its value, on one line
     * @return this builder
     * @throws IllegalArgumentException when the name is invalid or one the HTTP client or the sink
     *     sets itself, or the value holds a line break
     */
    public final B header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      SinkHttp.checkHeader(name, value);
      checkOwnHeader(name);
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
      headers.put(name, value);
      return self();
    }

    /**
     * The HTTP client to send with; by default the sink makes its own, which follows no redirects
     * (so a token never travels to another host).
     *
     * @param client the client
     * @return this builder
     */
    public final B httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return self();
    }

    /**
     * The longest one request may take (and, for the sink's own client, to connect); default 30 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public final B timeout(Duration timeout) {
      this.timeout = SinkHttp.positiveTimeout(timeout);
      return self();
    }

    /** Refuses a header the sink sets itself; the default refuses none. */
    void checkOwnHeader(String name) {}

    final boolean hasHeader(String name) {
      return headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
    }

    abstract B self();
  }
}

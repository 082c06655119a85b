package ai.anycap.sinks;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.pipeline.Sinks;
import ai.anycap.sinks.internal.DeliveryFacts;
import ai.anycap.sinks.internal.SinkHttp;
import ai.anycap.sinks.internal.SinkTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a CMS (or any HTTP API) about each image: one request per image, its URL and body filled
 * from the job's values and the receipts of earlier sinks, so that a product page gets the S3 URL
 * of its new picture.
 *
 * <pre>{@code
 * ImageSink cms = CmsSink.builder()
 *     .urlTemplate("https://cms.example.com/api/products/{sku}")
 *     .bodyTemplate("{\"image_url\":\"{s3.url}\"}")
 *     .bearerToken(() -> System.getenv("CMS_TOKEN"))
 *     .build();
 * pipelineBuilder.sink(Sinks.chain(s3, cms));
 * }</pre>
 *
 * <p>Placeholders: the job's {@link ImageJob#values() values} ({@code {sku}}); {@code {id}}, {@code
 * {output_key}}, {@code {model}}, {@code {sha256}}, {@code {content_type}}, {@code {size}}; and for
 * each earlier sink {@code {<sink>.url}}, {@code {<sink>.location}} and {@code {<sink>.<attribute>}}
 * ({@code {s3.key}}). A placeholder is {@code {name}} with a name of letters, digits, {@code _},
 * {@code .} and {@code -}; any other brace is plain text, so a JSON body is written as JSON. Values
 * are percent-encoded in the URL (each stays inside its path segment) and JSON-escaped in the body
 * (a quote in a value cannot break the JSON). A placeholder the image has no value for fails the
 * delivery, naming it. The URL's scheme and host are fixed in the template (only its path and query
 * take values), so a value from a CSV row can never send the token to another host.
 *
 * <p>Outcomes: 2xx delivers, and the receipt's location is the URL called, with attributes {@code
 * status} and {@code etag} (when the response has one). 429, 5xx and transport failures are
 * {@linkplain SinkException#retryable() retryable}; any other status is not, and its message quotes
 * the start of the response body. Each {@link #deliver} makes one request: the pipeline retries.
 * The bearer token is fetched for each request and never appears in logs, {@link #toString()} or
 * messages, even if a server echoes it back.
 *
 * <p>Defaults: method {@code PATCH}, no body, {@code Content-Type: application/json} when there is
 * a body, timeout 30 s, name {@code cms}, an HTTP client of its own that follows no redirects.
 * Immutable and thread-safe.
 */
public final class CmsSink implements ImageSink {

  private static final Logger log = LoggerFactory.getLogger(CmsSink.class);
  private static final String REDACTED = "[REDACTED]";

  private final String name;
  private final String method;
  private final SinkTemplate url;
  private final SinkTemplate body;
  private final Supplier<String> bearerToken;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, String> headers;

  private CmsSink(Builder b) {
    name = b.name;
    method = b.method;
    url = b.url;
    body = b.body;
    bearerToken = b.bearerToken;
    timeout = b.timeout;
    http = b.httpClient != null ? b.httpClient : SinkHttp.defaultClient(b.timeout);
    Map<String, String> h = new LinkedHashMap<>(b.headers);
    if (body != null && h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) {
      h.put("Content-Type", "application/json");
    }
    headers = java.util.Collections.unmodifiableMap(h);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
    Objects.requireNonNull(image, "image");
    HttpRequest request;
    UnaryOperator<String> redact;
    try {
      Map<String, String> facts = DeliveryFacts.of(image);
      URI target = target(image, facts);
      String token = token();
      redact = token == null ? s -> s : s -> s.replace(token, REDACTED);
      request = request(image, facts, target, token);
    } catch (SinkException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      // Only the type: a message from deep inside request building could quote a header value.
      return CompletableFuture.failedFuture(
          new SinkException(name, "cannot make the request: " + e.getClass().getName(), false, e));
    }
    String call = method + " " + request.uri();
    CompletableFuture<SinkReceipt> result = new CompletableFuture<>();
    http.sendAsync(request, SinkHttp.boundedText())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                SinkException failure = SinkHttp.transportFailure(name, call, error, redact);
                log.debug("{}: {} failed for job {}: {}", name, call, image.job().id(), failure.getMessage());
                result.completeExceptionally(failure);
                return;
              }
              int status = response.statusCode();
              log.debug("{}: {} for job {} -> {}", name, call, image.job().id(), status);
              if (status >= 200 && status < 300) {
                result.complete(receipt(request.uri(), response));
              } else {
                result.completeExceptionally(SinkHttp.statusFailure(name, call, response, redact));
              }
            });
    return result;
  }

  private URI target(DeliveredImage image, Map<String, String> facts) {
    String rendered = render(url, "URL", image, facts, DeliveryFacts::encodePathSegment);
    try {
      URI uri = new URI(rendered);
      if (uri.getHost() == null) {
        throw new java.net.URISyntaxException(rendered, "no host");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw new SinkException(name, "job " + image.job().id() + ": the URL template made an invalid URL: " + e.getMessage(), false);
    }
  }

  private String render(
      SinkTemplate template, String what, DeliveredImage image, Map<String, String> facts, UnaryOperator<String> escape) {
    try {
      return template.render(facts::get, escape);
    } catch (SinkTemplate.MissingValue m) {
      throw new SinkException(name,
          "the " + what + " template uses {" + m.placeholder() + "}, but job " + image.job().id()
              + " has no value for it; available: " + DeliveryFacts.available(image),
          false);
    }
  }

  private String token() {
    if (bearerToken == null) {
      return null;
    }
    String token;
    try {
      token = bearerToken.get();
    } catch (RuntimeException e) {
      // The supplier's exception is kept as the cause, its message is not repeated here.
      throw new SinkException(name, "the bearer token supplier threw " + e.getClass().getName(),
          e instanceof java.io.UncheckedIOException, e);
    }
    if (token == null || token.isBlank()) {
      throw new SinkException(name, "the bearer token supplier returned no token", false);
    }
    if (!token.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
      throw new SinkException(name, "the bearer token contains characters a header cannot carry", false);
    }
    return token;
  }

  private HttpRequest request(DeliveredImage image, Map<String, String> facts, URI target, String token) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(render(body, "body", image, facts, DeliveryFacts::escapeJson));
    HttpRequest.Builder r = HttpRequest.newBuilder(target).timeout(timeout).method(method, publisher);
    headers.forEach(r::header);
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return r.build();
  }

  private SinkReceipt receipt(URI called, HttpResponse<String> response) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("status", Integer.toString(response.statusCode()));
    response.headers().firstValue("etag").ifPresent(etag -> attributes.put("etag", etag));
    return new SinkReceipt(name, called.toString(), attributes);
  }

  @Override
  public String toString() {
    return "CmsSink[" + name + ": " + method + " " + url + "]";
  }

  /** Configures a {@link CmsSink}; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private String name = "cms";
    private String method = "PATCH";
    private SinkTemplate url;
    private SinkTemplate body;
    private Supplier<String> bearerToken;
    private HttpClient httpClient;
    private Duration timeout = Duration.ofSeconds(30);
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder() {}

    /** The sink's name, for the journal and for later sinks' placeholders; default {@code cms}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("sink name must not be blank");
      }
      this.name = name;
      return this;
    }

    /** The HTTP method; default {@code PATCH}. */
    public Builder method(String method) {
      Objects.requireNonNull(method, "method");
      String m = method.toUpperCase(Locale.ROOT);
      if (!m.matches("[A-Z]+")) {
        throw new IllegalArgumentException("invalid HTTP method '" + method + "'");
      }
      this.method = m;
      return this;
    }

    /** The URL to call, such as {@code https://cms.example.com/api/products/{sku}}. Required. */
    public Builder urlTemplate(String template) {
      this.url = SinkTemplate.parse(Objects.requireNonNull(template, "urlTemplate"));
      return this;
    }

    /** The request body, such as {@code {"image_url":"{s3.url}"}}; default none. */
    public Builder bodyTemplate(String template) {
      this.body = SinkTemplate.parse(Objects.requireNonNull(template, "bodyTemplate"));
      return this;
    }

    /**
     * Sends {@code Authorization: Bearer <token>}, asking the supplier for the token before each
     * request (so a rotated token is picked up). The token is never logged.
     */
    public Builder bearerToken(Supplier<String> token) {
      this.bearerToken = Objects.requireNonNull(token, "bearerToken");
      return this;
    }

    /** Adds a header to every request, replacing one of the same name. */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      SinkHttp.checkHeader(name, value);
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
      headers.put(name, value);
      return this;
    }

    /** The HTTP client to send with; by default the sink makes its own. */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** The longest one request may take; default 30 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = SinkHttp.positiveTimeout(timeout);
      return this;
    }

    /**
     * @throws IllegalStateException when the URL template is missing, is not an http(s) URL, has a
     *     placeholder in its host (only the path and query may vary), or an {@code Authorization}
     *     header is set beside a bearer token
     */
    public CmsSink build() {
      if (url == null) {
        throw new IllegalStateException("CmsSink needs a urlTemplate, such as https://cms.example.com/api/products/{sku}");
      }
      checkUrl(url);
      if (bearerToken != null && headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("authorization"))) {
        throw new IllegalStateException("CmsSink has both a bearerToken and an Authorization header; keep one");
      }
      Builder copy = new Builder();
      copy.name = name;
      copy.method = method;
      copy.url = url;
      copy.body = body;
      copy.bearerToken = bearerToken;
      copy.httpClient = httpClient;
      copy.timeout = timeout;
      copy.headers.putAll(headers);
      return new CmsSink(copy);
    }

    private static void checkUrl(SinkTemplate url) {
      String sample = url.render(p -> "x", DeliveryFacts::encodePathSegment);
      URI uri;
      try {
        uri = new URI(sample);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException("CmsSink urlTemplate '" + url + "' is not a valid URL: " + e.getMessage());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new IllegalStateException(
            "CmsSink urlTemplate '" + url + "' must start with http:// or https:// and a host");
      }
      // The host is fixed: a value from a CSV row must never send the bearer token elsewhere.
      if (!url.placeholders().isEmpty() && !url.prefix().matches("(?i)https?://[^/?#{}]+[/?#].*")) {
        throw new IllegalStateException(
            "CmsSink urlTemplate '" + url + "' has a placeholder in its scheme or host; only the path and query may vary");
      }
    }
  }
}

package ai.anycap.sinks;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.sinks.internal.DeliveryFacts;
import ai.anycap.sinks.internal.SinkCall;
import ai.anycap.sinks.internal.SinkTemplate;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

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
 * <p>Outcomes, as for every {@link HttpSink}: 2xx delivers, and the receipt's location is the URL
 * called, with attributes {@code status} and {@code etag} (when the response has one). 429, 5xx and
 * transport failures are {@linkplain SinkException#retryable() retryable}; any other status is not,
 * and its message quotes the start of the response body. Each {@link #deliver} makes one request:
 * the pipeline retries. The bearer token is fetched for each request and never appears in logs,
 * {@link #toString()} or messages, even if a server echoes it back.
 *
 * <p>Defaults: method {@code PATCH}, no body, {@code Content-Type: application/json} when there is
 * a body, timeout 30 s, name {@code cms}, an HTTP client of its own that follows no redirects.
 * Immutable and thread-safe.
 */
public final class CmsSink extends HttpSink {

  private static final String REDACTED = "[REDACTED]";

  private final String method;
  private final SinkTemplate url;
  private final SinkTemplate body;
  private final Supplier<String> bearerToken;
  private final boolean setsContentType;

  private CmsSink(Builder b) {
    super(b);
    method = b.method;
    url = b.url;
    body = b.body;
    bearerToken = b.bearerToken;
    setsContentType = body != null && !b.hasHeader("content-type");
  }

  /**
   * A builder with the defaults above.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  SinkCall call(DeliveredImage image) {
    Map<String, String> facts = DeliveryFacts.of(image);
    URI target = target(image, facts);
    String token = token();
    UnaryOperator<String> redact = token == null ? s -> s : s -> s.replace(token, REDACTED);
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(render(body, "body", image, facts, DeliveryFacts::escapeJson));
    HttpRequest.Builder r = request(target).method(method, publisher);
    if (setsContentType) {
      r.header("Content-Type", "application/json");
    }
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    HttpRequest request = r.build();
    return new SinkCall(request, method + " " + request.uri(), redact, response -> receipt(request.uri(), response));
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
      throw new SinkException(name(), "job " + image.job().id() + ": the URL template made an invalid URL: " + e.getMessage(), false);
    }
  }

  private String render(
      SinkTemplate template, String what, DeliveredImage image, Map<String, String> facts, UnaryOperator<String> escape) {
    try {
      return template.render(facts::get, escape);
    } catch (SinkTemplate.MissingValue m) {
      throw new SinkException(name(),
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
      throw new SinkException(name(), "the bearer token supplier threw " + e.getClass().getName(),
          e instanceof java.io.UncheckedIOException, e);
    }
    if (token == null || token.isBlank()) {
      throw new SinkException(name(), "the bearer token supplier returned no token", false);
    }
    if (!token.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
      throw new SinkException(name(), "the bearer token contains characters a header cannot carry", false);
    }
    return token;
  }

  private SinkReceipt receipt(URI called, HttpResponse<String> response) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("status", Integer.toString(response.statusCode()));
    response.headers().firstValue("etag").ifPresent(etag -> attributes.put("etag", etag));
    return new SinkReceipt(name(), called.toString(), attributes);
  }

  /** The name, method and URL template; never the token. */
  @Override
  public String toString() {
    return "CmsSink[" + name() + ": " + method + " " + url + "]";
  }

  /** Configures a {@link CmsSink}; not thread-safe, {@link #build()} copies. */
  public static final class Builder extends HttpSink.Builder<Builder> {
    private String method = "PATCH";
    private SinkTemplate url;
    private SinkTemplate body;
    private Supplier<String> bearerToken;

    private Builder() {
      super("cms");
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * The HTTP method; default {@code PATCH}.
     *
     * @param method a method name, in any case
     * @return this builder
     */
    public Builder method(String method) {
      Objects.requireNonNull(method, "method");
      String m = method.toUpperCase(Locale.ROOT);
      if (!m.matches("[A-Z]+")) {
        throw new IllegalArgumentException("invalid HTTP method '" + method + "'");
      }
      this.method = m;
      return this;
    }

    /**
     * The URL to call, such as {@code https://cms.example.com/api/products/{sku}}. Required; no
     * default.
     *
     * @param template the URL with placeholders in its path and query only
     * @return this builder
     */
    public Builder urlTemplate(String template) {
      this.url = SinkTemplate.parse(Objects.requireNonNull(template, "urlTemplate"));
      return this;
    }

    /**
     * The request body, such as {@code {"image_url":"{s3.url}"}}; default none.
     *
     * @param template the body with placeholders
     * @return this builder
     */
    public Builder bodyTemplate(String template) {
      this.body = SinkTemplate.parse(Objects.requireNonNull(template, "bodyTemplate"));
      return this;
    }

    /**
     * Sends {@code Authorization: Bearer <token>}, asking the supplier for the token before each
     * request (so a rotated token is picked up); default none. The token is never logged.
     *
     * @param token supplies the token
     * @return this builder
     */
    public Builder bearerToken(Supplier<String> token) {
      this.bearerToken = Objects.requireNonNull(token, "bearerToken");
      return this;
    }

    /**
     * Builds the sink.
     *
     * @return the sink
     * @throws IllegalStateException when the URL template is missing, is not an http(s) URL, has a
     *     placeholder in its host (only the path and query may vary), or an {@code Authorization}
     *     header is set beside a bearer token
     */
    public CmsSink build() {
      if (url == null) {
        throw new IllegalStateException("CmsSink needs a urlTemplate, such as https://cms.example.com/api/products/{sku}");
      }
      checkUrl(url);
      if (bearerToken != null && hasHeader("authorization")) {
        throw new IllegalStateException("CmsSink has both a bearerToken and an Authorization header; keep one");
      }
      return new CmsSink(this);
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

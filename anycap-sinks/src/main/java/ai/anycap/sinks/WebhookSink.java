package ai.anycap.sinks;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.sinks.internal.SinkCall;
import ai.anycap.sinks.internal.WebhookSignatures;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Posts each finished image to your endpoint as a signed JSON event, as soon as its job is done:
 * the "async batch with a webhook" pattern, where the receiver acts on each image without polling.
 *
 * <pre>{@code
 * ImageSink webhook = WebhookSink.builder()
 *     .url(URI.create("https://example.com/hooks/anycap"))
 *     .secretFromEnv("ANYCAP_WEBHOOK_SECRET")      // whsec_<base64>, or any text
 *     .build();
 * }</pre>
 *
 * <p>The body is {@code {"type":"image.generated","job_id":..,"output_key":..,"model":..,
 * "sha256":..,"size":..,"content_type":..,"receipts":{"<sink>":{"location":..,"attributes":{..}}},
 * "values":{..}}}. Requests are signed the <a href="https://www.standardwebhooks.com">Standard
 * Webhooks</a> way: {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and {@code
 * webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}; check them with {@link
 * WebhookVerifier} or any Standard Webhooks library. The {@code webhook-id} is derived from the
 * job id and the image's SHA-256, so a retried or re-run delivery of the same image carries the
 * same id and a receiver can drop the repeat.
 *
 * <p>Outcomes, as for every {@link HttpSink}: 2xx delivers (the receipt's location is the endpoint
 * URL, attributes {@code status} and {@code webhook_id}); 429, 5xx and transport failures are
 * {@linkplain SinkException#retryable() retryable}; any other status is not. Each {@link #deliver}
 * makes one request: the pipeline retries. The secret never appears in logs, {@link #toString()}
 * or messages.
 *
 * <p>Defaults: name {@code webhook}, timeout 30 s, the system UTC clock, an HTTP client of its own
 * that follows no redirects. Immutable and thread-safe.
 */
public final class WebhookSink extends HttpSink {

  /** The event type in every body. */
  public static final String EVENT_TYPE = "image.generated";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI url;
  private final byte[] key;
  private final Clock clock;

  private WebhookSink(Builder b) {
    super(b);
    url = b.url;
    key = b.key.clone();
    clock = b.clock;
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
    String body = body(image);
    String id = WebhookSignatures.messageId(image.job().id(), image.sha256());
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    HttpRequest request =
        request(url)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .header(WebhookSignatures.ID_HEADER, id)
            .header(WebhookSignatures.TIMESTAMP_HEADER, timestamp)
            .header(WebhookSignatures.SIGNATURE_HEADER, WebhookSignatures.signature(key, id, timestamp, body))
            .build();
    String description = "POST " + url + " (" + id + ", job " + image.job().id() + ")";
    return new SinkCall(request, description, text -> text,
        response -> new SinkReceipt(name(), url.toString(),
            Map.of("status", Integer.toString(response.statusCode()), "webhook_id", id)));
  }

  /** The event for an image; the same image always gives the same bytes. */
  static String body(DeliveredImage image) {
    ObjectNode root = JSON.createObjectNode();
    root.put("type", EVENT_TYPE);
    root.put("job_id", image.job().id());
    root.put("output_key", image.job().outputKey());
    root.put("model", image.model());
    root.put("sha256", image.sha256());
    root.put("size", image.size());
    root.put("content_type", image.contentType());
    ObjectNode receipts = root.putObject("receipts");
    for (SinkReceipt receipt : image.receipts()) {
      ObjectNode r = receipts.putObject(receipt.sink());
      r.put("location", receipt.location());
      ObjectNode attributes = r.putObject("attributes");
      new TreeMap<>(receipt.attributes()).forEach(attributes::put);
    }
    ObjectNode values = root.putObject("values");
    image.job().values().forEach(values::put);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the webhook body", e);
    }
  }

  /** The name and endpoint; never the secret. */
  @Override
  public String toString() {
    return "WebhookSink[" + name() + ": POST " + url + "]";
  }

  /** Configures a {@link WebhookSink}; not thread-safe, {@link #build()} copies. */
  public static final class Builder extends HttpSink.Builder<Builder> {
    private URI url;
    private byte[] key;
    private Clock clock = Clock.systemUTC();

    private Builder() {
      super("webhook");
    }

    @Override
    Builder self() {
      return this;
    }

    @Override
    void checkOwnHeader(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("webhook-") || lower.equals("content-type")) {
        throw new IllegalArgumentException("header '" + name + "' is set by WebhookSink itself");
      }
    }

    /**
     * The endpoint to post to, http or https. Required; no default.
     *
     * @param url the endpoint
     * @return this builder
     * @throws IllegalArgumentException when the URL is not http(s) or has no host
     */
    public Builder url(URI url) {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
        throw new IllegalArgumentException("webhook url must be an http or https URL with a host, got " + url);
      }
      this.url = url;
      return this;
    }

    /**
     * The signing secret as bytes. A secret is required; no default.
     *
     * @param secret the key bytes, not empty
     * @return this builder
     */
    public Builder secret(byte[] secret) {
      this.key = WebhookSignatures.nonEmpty(secret);
      return this;
    }

    /**
     * The signing secret as text: {@code whsec_<base64>} (the Standard Webhooks form, the bytes
     * after the prefix) or any other text (its UTF-8 bytes). A secret is required; no default.
     *
     * @param secret the secret's text
     * @return this builder
     * @throws IllegalArgumentException when the secret is empty, or not base64 after {@code whsec_}
     */
    public Builder secret(String secret) {
      this.key = WebhookSignatures.key(secret);
      return this;
    }

    /**
     * The signing secret from an environment variable, in either form of {@link #secret(String)}.
     *
     * @param variable the variable's name, such as {@code ANYCAP_WEBHOOK_SECRET}
     * @return this builder
     * @throws IllegalStateException when the variable is not set
     */
    public Builder secretFromEnv(String variable) {
      return secretFromEnv(variable, System.getenv());
    }

    Builder secretFromEnv(String variable, Map<String, String> env) {
      this.key = WebhookSignatures.keyFromEnv(variable, env);
      return this;
    }

    /**
     * The clock for {@code webhook-timestamp}; default the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the sink.
     *
     * @return the sink
     * @throws IllegalStateException when the url or the secret is missing
     */
    public WebhookSink build() {
      if (url == null) {
        throw new IllegalStateException("WebhookSink needs a url");
      }
      if (key == null) {
        throw new IllegalStateException("WebhookSink needs a secret: secret(...) or secretFromEnv(\"VAR\")");
      }
      return new WebhookSink(this);
    }
  }
}

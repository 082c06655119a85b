package ai.anycap.s3;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.s3.internal.ObjectKeys;
import ai.anycap.s3.internal.ObjectUrls;
import ai.anycap.s3.internal.PromptDigest;
import ai.anycap.s3.internal.PutFailures;
import ai.anycap.s3.internal.UserMetadata;
import java.net.URI;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Uploads each finished image to an S3 bucket (Amazon S3, or an S3-compatible store such as MinIO
 * or Cloudflare R2) and reports the object's URL, so a later sink (a CMS) can link to it.
 *
 * <pre>{@code
 * S3Sink s3 = S3Sink.builder()
 *     .client(S3AsyncClient.create())          // region and credentials from the environment
 *     .bucket("my-assets")
 *     .keyTemplate("products/{sku}.png")     // {sku} from the CSV row
 *     .publicBaseUrl(URI.create("https://cdn.example.com"))
 *     .build();
 * ImagePipeline pipeline = ImagePipeline.builder().client(AnyCapClient.fromEnv()).sink(s3).build();
 * }</pre>
 *
 * <p>The object key is, by default, the job's output key; {@link Builder#keyTemplate(String)}
 * renders one from the job's values plus {@code {id}}, {@code {output_key}} and {@code {model}},
 * and {@link Builder#keyFunction(Function)} computes one; {@link Builder#prefix(String)} is put
 * before it. Each object is written with {@code Content-Type} from the image's magic bytes, {@code
 * Cache-Control} (default {@value #DEFAULT_CACHE_CONTROL}), its SHA-256 as the S3 checksum, so S3
 * refuses bytes that differ from what the pipeline verified, and user metadata {@code
 * anycap-job-id}, {@code anycap-model} and {@code anycap-prompt-sha256} (see {@link
 * #promptSha256(ImageJob)}).
 *
 * <p>The receipt's location is the object's URL: {@code {publicBaseUrl}/{key}} when a public base
 * URL is set; {@code {endpoint}/{bucket}/{key}} (path style) when the client has an endpoint
 * override; otherwise {@code https://{bucket}.s3.{region}.amazonaws.com/{key}} (virtual-hosted
 * style; path style for bucket names with dots, which TLS certificates do not cover). Key
 * segments are percent-encoded. Its attributes are {@code bucket}, {@code key}, {@code etag}
 * (without quotes) and {@code version_id} when the bucket is versioned.
 *
 * <p>Failures are {@link SinkException}s naming the bucket and key: retryable for 5xx, throttling
 * and network errors, not for 4xx (no such bucket, access denied, checksum mismatch), an
 * unreadable file, or a key the template cannot render. The client's own retries come first; the
 * pipeline's sink retries come on top of them. Instances are immutable and thread-safe. {@link
 * #close()} closes the client only if the sink built it.
 */
public final class S3Sink implements ImageSink, AutoCloseable {

  /** The default {@code Cache-Control}: the key of a generated image never gets other bytes. */
  public static final String DEFAULT_CACHE_CONTROL = "public, max-age=31536000";

  /** The default sink name, recorded in the pipeline's journal. */
  public static final String DEFAULT_NAME = "s3";

  private final S3AsyncClient client;
  private final boolean ownsClient;
  private final String bucket;
  private final ObjectKeys keys;
  private final ObjectUrls urls;
  private final String cacheControl;
  private final String name;

  private S3Sink(Builder b, S3AsyncClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.bucket = b.bucket;
    this.keys = b.keys();
    this.cacheControl = b.cacheControl;
    this.name = b.name;
    S3ServiceClientConfiguration config = client.serviceClientConfiguration();
    this.urls =
        new ObjectUrls(
            b.bucket, config.region(), config.endpointOverride().orElse(null), b.publicBaseUrl);
  }

  /**
   * Starts configuring a sink; {@link Builder#bucket(String)} and either {@link
   * Builder#client(S3AsyncClient)} or {@link Builder#region(Region)} are required.
   *
   * @return a new builder with every default
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
    Objects.requireNonNull(image, "image");
    String key;
    try {
      key = keys.keyFor(image);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new SinkException(
              name,
              "no object key in bucket " + bucket + " for job " + image.job().id() + ": " + e.getMessage(),
              false,
              e));
    }
    PutObjectRequest request;
    try {
      request = request(image, key);
    } catch (SinkException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<PutObjectResponse> put;
    try {
      put = client.putObject(request, AsyncRequestBody.fromFile(image.file()));
    } catch (RuntimeException e) {
      put = CompletableFuture.failedFuture(e);
    }
    return put.handle(
        (response, error) -> {
          if (error != null) {
            throw PutFailures.toSinkException(name, bucket, key, error);
          }
          return receipt(key, response);
        });
  }

  private PutObjectRequest request(DeliveredImage image, String key) {
    byte[] digest;
    try {
      digest = HexFormat.of().parseHex(image.sha256());
    } catch (IllegalArgumentException e) {
      digest = new byte[0];
    }
    if (digest.length != 32) {
      throw new SinkException(
          name,
          "cannot put s3://" + bucket + "/" + key + ": the image's sha256 is not 64 hex digits",
          false);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("anycap-job-id", UserMetadata.encode(image.job().id()));
    metadata.put("anycap-model", UserMetadata.encode(image.model()));
    metadata.put("anycap-prompt-sha256", promptSha256(image.job()));
    return PutObjectRequest.builder()
        .bucket(bucket)
        .key(key)
        .contentType(image.contentType())
        .cacheControl(cacheControl)
        .metadata(metadata)
        .checksumAlgorithm(ChecksumAlgorithm.SHA256)
        .checksumSHA256(Base64.getEncoder().encodeToString(digest))
        .build();
  }

  private SinkReceipt receipt(String key, PutObjectResponse response) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("bucket", bucket);
    attributes.put("key", key);
    if (response.eTag() != null) {
      attributes.put("etag", unquote(response.eTag()));
    }
    if (response.versionId() != null && !response.versionId().equals("null")) {
      attributes.put("version_id", response.versionId());
    }
    return new SinkReceipt(name, urls.urlFor(key).toString(), attributes);
  }

  private static String unquote(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1)
        : etag;
  }

  /**
   * The value of the {@code anycap-prompt-sha256} metadata: which prompt made the image, without
   * storing the prompt. The sink sees the job, not the rendered prompt, so for a job with a literal
   * prompt it is the SHA-256 (lower-case hex) of the prompt's UTF-8 bytes, and for a template job
   * the SHA-256 of the UTF-8 bytes of the template name followed, for each value in key order, by
   * a NUL, the key, a NUL and the value. Two jobs that ask for the same prompt the same way get
   * the same value.
   *
   * @param job the job whose prompt made the image
   * @return 64 lower-case hex digits
   */
  public static String promptSha256(ImageJob job) {
    return PromptDigest.of(Objects.requireNonNull(job, "job"));
  }

  /**
   * The URL this sink reports for an object, as in its receipts.
   *
   * @param key the full object key, prefix included
   * @return the object's URL, with each key segment percent-encoded
   */
  public URI objectUrl(String key) {
    return urls.urlFor(Objects.requireNonNull(key, "key"));
  }

  /**
   * The bucket objects are written to.
   *
   * @return the bucket's name
   */
  public String bucket() {
    return bucket;
  }

  @Override
  public String name() {
    return name;
  }

  /** Closes the S3 client if this sink built it; a client given to the builder is left open. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "S3Sink[name=" + name + ", bucket=" + bucket + ", keys=" + keys + "]";
  }

  /** Configures an {@link S3Sink}; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private S3AsyncClient client;
    private Region region;
    private URI endpoint;
    private String bucket;
    private String keyTemplate;
    private Function<DeliveredImage, String> keyFunction;
    private String prefix = "";
    private String cacheControl = DEFAULT_CACHE_CONTROL;
    private URI publicBaseUrl;
    private String name = DEFAULT_NAME;

    private Builder() {}

    /**
     * The client to upload with, configured as you like (credentials, endpoint, retries); the
     * sink never closes it. Default: none, and {@link #build()} makes a client of its own from
     * the AWS default credential chain and {@link #region(Region)}, closed by {@link
     * S3Sink#close()}.
     *
     * @param client the client; S3 clients are thread-safe and may be shared
     * @return this builder
     */
    public Builder client(S3AsyncClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The region of the client the sink builds; required unless {@link #client} is given, and
     * ignored when it is. Default: none.
     *
     * @param region the bucket's region
     * @return this builder
     */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * As {@link #region(Region)}, by id. Default: none.
     *
     * @param region a region id such as {@code eu-west-1}, or {@code auto} for Cloudflare R2
     * @return this builder
     */
    public Builder region(String region) {
      return region(Region.of(Objects.requireNonNull(region, "region")));
    }

    /**
     * An S3-compatible endpoint (MinIO, R2) for the client the sink builds, addressed path style.
     * Ignored when {@link #client} is given: configure that client's endpoint instead. Default:
     * none (Amazon S3, addressed virtual-hosted style).
     *
     * @param endpoint the store's base URL, such as {@code http://localhost:9000}
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * The bucket to write to. Required; no default.
     *
     * @param bucket the bucket's name; the identity needs {@code s3:PutObject} on it
     * @return this builder
     */
    public Builder bucket(String bucket) {
      this.bucket = Objects.requireNonNull(bucket, "bucket");
      return this;
    }

    /**
     * Renders each object key from the job's values plus {@code {id}} (the job id), {@code
     * {output_key}} and {@code {model}}, which win over values of the same name; the syntax is
     * that of {@link ai.anycap.client.PromptTemplate}. A job lacking a value fails delivery
     * (non-retryable) naming the placeholder. Replaces a {@link #keyFunction}. Default: none,
     * the key is the job's output key.
     *
     * @param template such as {@code products/{sku}.png}
     * @return this builder
     * @throws ai.anycap.client.PromptTemplateException if the template is malformed
     */
    public Builder keyTemplate(String template) {
      ObjectKeys.checkTemplate(Objects.requireNonNull(template, "keyTemplate"));
      this.keyTemplate = template;
      this.keyFunction = null;
      return this;
    }

    /**
     * Computes each object key. Replaces a {@link #keyTemplate}. Default: none, the key is the
     * job's output key.
     *
     * @param keyFunction called once per delivery, on the thread that delivers; an exception it
     *     throws fails that delivery, not retried
     * @return this builder
     */
    public Builder keyFunction(Function<DeliveredImage, String> keyFunction) {
      this.keyFunction = Objects.requireNonNull(keyFunction, "keyFunction");
      this.keyTemplate = null;
      return this;
    }

    /**
     * Put before every key, as is: {@code "p/"} puts {@code a.png} at {@code p/a.png}. Default:
     * empty.
     *
     * @param prefix the prefix, with its own trailing slash if it needs one
     * @return this builder
     */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * The {@code Cache-Control} of every object. Default: {@value S3Sink#DEFAULT_CACHE_CONTROL}.
     *
     * @param cacheControl the header's value, as is
     * @return this builder
     */
    public Builder cacheControl(String cacheControl) {
      this.cacheControl = Objects.requireNonNull(cacheControl, "cacheControl");
      return this;
    }

    /**
     * Receipts report {@code {publicBaseUrl}/{key}}, for a CDN in front of the bucket or a public
     * bucket domain. Default: none, receipts report the S3 URL.
     *
     * @param publicBaseUrl an absolute URL with a host, such as {@code https://cdn.example.com}
     * @return this builder
     * @throws IllegalArgumentException if it is not absolute or has no host
     */
    public Builder publicBaseUrl(URI publicBaseUrl) {
      Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
      if (!publicBaseUrl.isAbsolute() || publicBaseUrl.getHost() == null) {
        throw new IllegalArgumentException("publicBaseUrl must be an absolute URL with a host, got " + publicBaseUrl);
      }
      this.publicBaseUrl = publicBaseUrl;
      return this;
    }

    /**
     * The name the journal records deliveries under, and later sinks' templates use ({@code
     * {s3.url}}). Default: {@value S3Sink#DEFAULT_NAME}.
     *
     * @param name not blank; unique among the pipeline's sinks
     * @return this builder
     * @throws IllegalArgumentException if it is blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Builds the sink, and its own S3 client when none was given; the builder can be reused.
     *
     * @return a new sink
     * @throws IllegalStateException when the bucket is missing, or both the client and the region
     */
    public S3Sink build() {
      if (bucket == null || bucket.isBlank()) {
        throw new IllegalStateException("S3Sink needs a bucket: call bucket(\"my-assets\")");
      }
      if (client != null) {
        return new S3Sink(this, client, false);
      }
      if (region == null) {
        throw new IllegalStateException(
            "S3Sink needs a client or a region: call client(S3AsyncClient) or region(\"eu-west-1\")");
      }
      S3AsyncClientBuilder b = S3AsyncClient.builder().region(region);
      if (endpoint != null) {
        b.endpointOverride(endpoint).forcePathStyle(true);
      }
      return new S3Sink(this, b.build(), true);
    }

    private ObjectKeys keys() {
      if (keyTemplate != null) {
        return ObjectKeys.template(prefix, keyTemplate);
      }
      if (keyFunction != null) {
        return ObjectKeys.function(prefix, keyFunction);
      }
      return ObjectKeys.outputKey(prefix);
    }
  }
}

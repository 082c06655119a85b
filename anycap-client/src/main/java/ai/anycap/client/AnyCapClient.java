package ai.anycap.client;

import ai.anycap.client.internal.ApiKey;
import ai.anycap.client.internal.ApiTransport;
import ai.anycap.client.internal.ArtifactDownloader;
import ai.anycap.client.internal.Exchanges;
import ai.anycap.client.internal.Futures;
import ai.anycap.client.internal.ReferenceUploader;
import ai.anycap.client.internal.Responses;
import ai.anycap.client.internal.SdkVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * The entry point to the AnyCap API.
 *
 * <pre>{@code
 * AnyCapClient client = AnyCapClient.fromEnv();   // ANYCAP_API_KEY, ANYCAP_API_ENDPOINT
 * ImageGeneration g = client.images().generate(ImageRequest.builder()
 *     .model(Model.NANO_BANANA_2)
 *     .prompt("a paper crane on a wooden table")
 *     .build());
 * client.images().download(g.firstOutput(), Path.of("out/crane.png"));
 * }</pre>
 *
 * <p>Defaults: endpoint {@code https://api.anycap.ai}; connect timeout 10 s; generate (and
 * edit) timeout by model, 2 minutes for nano-banana-2, 3 for nano-banana-pro, 5 for seedream-5
 * and any other model; other API calls 30 s; downloads 120 s and at most 50 MiB; reference uploads 120 s and at
 * most 20 MiB, the last 1,024 cached. Every call sends {@code
 * Authorization: Bearer}, {@code User-Agent: anycap-java/<version>} and a fresh {@code X-Trace-Id}.
 * The key is sent to the API endpoint only, never to download URLs, and never appears in {@code
 * toString()}, logs or exception messages.
 *
 * <p>Thread-safe; build one and share it. {@link #toBuilder()} derives a client with other
 * settings that shares the same {@link HttpClient}.
 */
public final class AnyCapClient {

  /** The public AnyCap API. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://api.anycap.ai");

  /**
   * This SDK's version, such as {@code 0.1.0}, as sent in {@code User-Agent: anycap-java/<version>};
   * {@code unknown} when the build did not record it (classes run from an IDE without Maven).
   */
  public static final String SDK_VERSION = SdkVersion.VALUE;

  /** The environment variable {@link #fromEnv()} reads the API key from. */
  public static final String API_KEY_ENV = "ANYCAP_API_KEY";

  /** The environment variable {@link #fromEnv()} reads the endpoint from, when it is set. */
  public static final String ENDPOINT_ENV = "ANYCAP_API_ENDPOINT";

  /** The default cap on a local reference file's size, 20 MiB. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 20L * 1024 * 1024;

  /** The default number of uploads a client remembers, 1,024. */
  public static final int DEFAULT_UPLOAD_CACHE_SIZE = 1024;

  private final AnyCapClientBuilder settings;
  private final HttpClient http;
  private final ApiTransport transport;
  private final Images images;

  AnyCapClient(AnyCapClientBuilder b, HttpClient http, ApiKey key) {
    this.settings = b.copy();
    this.http = http;
    Exchanges exchanges = new Exchanges(b.exchangeListener);
    this.transport = new ApiTransport(http, b.endpoint, key, b.clock, exchanges);
    ArtifactDownloader downloader =
        new ArtifactDownloader(http, b.maxDownloadBytes, b.downloadTimeout, exchanges);
    ReferenceUploader uploader = new ReferenceUploader(
        transport, http, b.executor != null ? b.executor : ForkJoinPool.commonPool(),
        b.maxUploadBytes, b.uploadCacheSize, b.requestTimeout, b.uploadTimeout, b.uploadPause, exchanges);
    this.images = new Images(transport, downloader, uploader, b.generateTimeouts::of, b.requestTimeout);
  }

  /**
   * A client configured from {@code ANYCAP_API_KEY} and, if set, {@code ANYCAP_API_ENDPOINT};
   * every other setting at its default.
   *
   * @return a new client
   * @throws IllegalStateException when {@code ANYCAP_API_KEY} is not set
   * @throws IllegalArgumentException when {@code ANYCAP_API_ENDPOINT} is not an http(s) URL with
   *     a host, naming the variable and the expected form
   */
  public static AnyCapClient fromEnv() {
    return builder().fromEnv().build();
  }

  /**
   * Starts configuring a client; an API key is required.
   *
   * @return a new builder with every default
   */
  public static AnyCapClientBuilder builder() {
    return new AnyCapClientBuilder();
  }

  /**
   * A builder with this client's settings, sharing its {@link HttpClient}, to derive a client
   * with other timeouts or another key.
   *
   * @return a new builder; changing it does not change this client
   */
  public AnyCapClientBuilder toBuilder() {
    AnyCapClientBuilder b = settings.copy();
    b.httpClient = http;
    return b;
  }

  /**
   * Image generation, downloads and model discovery.
   *
   * @return the image API of this client; thread-safe, the same instance on every call
   */
  public Images images() {
    return images;
  }

  /**
   * How long a generate or edit call with {@code model} may take, unless its {@link
   * RequestOptions} say otherwise.
   *
   * @param model the model id
   * @return the timeout
   */
  public Duration generateTimeout(String model) {
    return settings.generateTimeouts.of(Objects.requireNonNull(model, "model"));
  }

  /**
   * The endpoint this client calls.
   *
   * @return the API base URL
   */
  public URI endpoint() {
    return settings.endpoint;
  }

  /**
   * Server information and the key's authentication state ({@code GET /v1/status}); costs
   * nothing. Blocks until the answer arrives.
   *
   * @return what the server said
   * @throws AnyCapException when the call fails, as {@link #statusAsync()} describes
   */
  public ServiceStatus status() {
    return Futures.await(statusAsync());
  }

  /**
   * As {@link #status()}, without blocking: the future completes on the client's executor.
   *
   * @return completes with what the server said, or exceptionally with an {@link
   *     AnyCapServiceException} for an error status, an {@link AnyCapIoException} when the
   *     server could not be reached, or an {@link UnexpectedResponseException} for a body it
   *     cannot read
   */
  public CompletableFuture<ServiceStatus> statusAsync() {
    return transport
        .send("GET", "v1/status", null, settings.requestTimeout, RequestOptions.none())
        .thenApply(r -> Responses.status(r, transport::redact));
  }

  @Override
  public String toString() {
    return "AnyCapClient{endpoint=" + settings.endpoint + ", apiKey=[redacted]}";
  }
}

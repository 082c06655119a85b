package ai.anycap.client;

import static ai.anycap.client.AnyCapClient.API_KEY_ENV;
import static ai.anycap.client.AnyCapClient.DEFAULT_ENDPOINT;
import static ai.anycap.client.AnyCapClient.DEFAULT_MAX_UPLOAD_BYTES;
import static ai.anycap.client.AnyCapClient.DEFAULT_UPLOAD_CACHE_SIZE;
import static ai.anycap.client.AnyCapClient.ENDPOINT_ENV;

import ai.anycap.client.internal.ApiKey;
import ai.anycap.client.internal.EndpointCheck;
import ai.anycap.client.internal.Pause;
import ai.anycap.client.internal.ModelTimeouts;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * Configures an {@link AnyCapClient}. Not thread-safe; {@link #build()} copies, so a builder can
 * be reused.
 */
public final class AnyCapClientBuilder {
  String apiKey;
  URI endpoint = DEFAULT_ENDPOINT;
  boolean allowInsecureEndpoint;
  HttpClient httpClient;
  Executor executor;
  Duration connectTimeout = Duration.ofSeconds(10);
  ModelTimeouts generateTimeouts = ModelTimeouts.DEFAULTS;
  Duration requestTimeout = Duration.ofSeconds(30);
  Duration downloadTimeout = Duration.ofSeconds(120);
  long maxDownloadBytes = 50L * 1024 * 1024;
  Duration uploadTimeout = Duration.ofSeconds(120);
  long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
  int uploadCacheSize = DEFAULT_UPLOAD_CACHE_SIZE;
  Pause uploadPause = Pause.REAL;
  Clock clock = Clock.systemUTC();
  ExchangeListener exchangeListener = ExchangeListener.NONE;

  AnyCapClientBuilder() {}

  AnyCapClientBuilder copy() {
    AnyCapClientBuilder b = new AnyCapClientBuilder();
    b.apiKey = apiKey;
    b.endpoint = endpoint;
    b.allowInsecureEndpoint = allowInsecureEndpoint;
    b.httpClient = httpClient;
    b.executor = executor;
    b.connectTimeout = connectTimeout;
    b.generateTimeouts = generateTimeouts;
    b.requestTimeout = requestTimeout;
    b.downloadTimeout = downloadTimeout;
    b.maxDownloadBytes = maxDownloadBytes;
    b.uploadTimeout = uploadTimeout;
    b.maxUploadBytes = maxUploadBytes;
    b.uploadCacheSize = uploadCacheSize;
    b.uploadPause = uploadPause;
    b.clock = clock;
    b.exchangeListener = exchangeListener;
    return b;
  }

  /**
   * Reads {@code ANYCAP_API_KEY} and {@code ANYCAP_API_ENDPOINT} where they are set; leaves the
   * settings as they are where they are not.
   *
   * @return this builder
   * @throws IllegalArgumentException when {@code ANYCAP_API_ENDPOINT} is not an http(s) URL with
   *     a host, naming the variable and the expected form
   */
  public AnyCapClientBuilder fromEnv() {
    return fromEnv(System::getenv);
  }

  /**
   * Reads {@code ANYCAP_API_KEY} and {@code ANYCAP_API_ENDPOINT} from {@code env} where it has
   * them, as {@link #fromEnv()} reads the process environment: for a command line tool or a
   * test that keeps its own variables.
   *
   * @param env the variables: a name to its value, or null when unset
   * @return this builder
   * @throws IllegalArgumentException when {@code ANYCAP_API_ENDPOINT} is not an http(s) URL
   *     with a host, naming the variable, its value and the expected form
   */
  public AnyCapClientBuilder fromEnv(Function<String, String> env) {
    String key = env.apply(API_KEY_ENV);
    if (key != null && !key.isBlank()) {
      apiKey = key;
    }
    String ep = env.apply(ENDPOINT_ENV);
    if (ep != null && !ep.isBlank()) {
      this.endpoint = EndpointCheck.parse(ep, ENDPOINT_ENV);
    }
    return this;
  }

  /**
   * The API key. Required; no default (see {@link #fromEnv()}). It goes to the API endpoint
   * only, and never into a log line, an exception message or {@code toString()}.
   *
   * @param apiKey such as {@code ak_live_...}
   * @return this builder
   */
  public AnyCapClientBuilder apiKey(String apiKey) {
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    return this;
  }

  /**
   * The API base URL. Default: {@code https://api.anycap.ai}. Plain http is accepted on
   * loopback only, unless {@link #allowInsecureEndpoint(boolean)} says otherwise.
   *
   * @param endpoint an http(s) URL with a host and no query or fragment
   * @return this builder
   * @throws IllegalArgumentException when it is not such a URL
   */
  public AnyCapClientBuilder endpoint(URI endpoint) {
    EndpointCheck.check(Objects.requireNonNull(endpoint, "endpoint"), "endpoint(URI)");
    this.endpoint = endpoint;
    return this;
  }

  /**
   * Allows a plain-http endpoint that is not on loopback. Off by default: over plain http the
   * API key crosses the network readable by anyone on the path.
   *
   * @param allow true to accept such an endpoint
   * @return this builder
   */
  public AnyCapClientBuilder allowInsecureEndpoint(boolean allow) {
    this.allowInsecureEndpoint = allow;
    return this;
  }

  /**
   * The {@link HttpClient} to use, for sharing pools or custom TLS. It must not follow redirects
   * ({@link HttpClient.Redirect#NEVER}): a redirect would carry the API key to another host.
   * Default: a client of the SDK's own, with {@link #connectTimeout(Duration)} and {@link
   * #executor(Executor)}, redirects off.
   *
   * @param httpClient a client built with {@code followRedirects(HttpClient.Redirect.NEVER)};
   *     the SDK never closes it
   * @return this builder
   */
  public AnyCapClientBuilder httpClient(HttpClient httpClient) {
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    return this;
  }

  /**
   * The executor for the built-in {@link HttpClient}'s callbacks, where async results complete
   * (ignored for that when {@link #httpClient(HttpClient)} is set), and where local reference
   * files are read and hashed before an upload. Default: the {@link HttpClient}'s own (a cached
   * thread pool) for callbacks, the common {@code ForkJoinPool} for reading files.
   *
   * @param executor runs response handling and the completion of every async result, so
   *     continuations attached without an executor run there
   * @return this builder
   */
  public AnyCapClientBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * How long opening a connection may take. Default: 10 seconds. Ignored when {@link
   * #httpClient(HttpClient)} is set.
   *
   * @param timeout positive
   * @return this builder
   */
  public AnyCapClientBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connectTimeout");
    return this;
  }

  /**
   * How long a generate or edit call may take, for every model: replaces the per-model defaults
   * (2 minutes for nano-banana-2, 3 for nano-banana-pro, 5 for seedream-5 and any other model).
   * Give exceptions after it with {@link #generateTimeout(String, Duration)}. A call cut short
   * may still be generated and billed, and a retry pays again: leave slow models their minutes.
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public AnyCapClientBuilder generateTimeout(Duration timeout) {
    this.generateTimeouts = ModelTimeouts.all(positive(timeout, "generateTimeout"));
    return this;
  }

  /**
   * How long a generate or edit call with {@code model} may take; see {@link
   * #generateTimeout(Duration)} for the defaults.
   *
   * @param model the model id, such as {@code seedream-5}
   * @param timeout a positive duration
   * @return this builder
   */
  public AnyCapClientBuilder generateTimeout(String model, Duration timeout) {
    this.generateTimeouts = generateTimeouts.with(model, positive(timeout, "generateTimeout"));
    return this;
  }

  /**
   * How long other API calls (models, schema, status) may take. Default: 30 seconds.
   *
   * @param timeout positive
   * @return this builder
   */
  public AnyCapClientBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = positive(timeout, "requestTimeout");
    return this;
  }

  /**
   * How long one download may take, from request to last byte. Default: 120 seconds.
   *
   * @param timeout positive
   * @return this builder
   */
  public AnyCapClientBuilder downloadTimeout(Duration timeout) {
    this.downloadTimeout = positive(timeout, "downloadTimeout");
    return this;
  }

  /**
   * The largest image a download accepts; a larger one fails with {@link
   * DownloadException.Reason#TOO_LARGE} and leaves no file. Default: 50 MiB.
   *
   * @param bytes positive
   * @return this builder
   */
  public AnyCapClientBuilder maxDownloadBytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("maxDownloadBytes must be positive, got " + bytes);
    }
    this.maxDownloadBytes = bytes;
    return this;
  }

  /**
   * How long one upload of a reference file's bytes (the {@code PUT}) may take; default 120 s.
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public AnyCapClientBuilder uploadTimeout(Duration timeout) {
    this.uploadTimeout = positive(timeout, "uploadTimeout");
    return this;
  }

  /**
   * The largest local reference file the client uploads; default 20 MiB. A larger file is
   * refused before anything is sent ({@link UploadException.Reason#TOO_LARGE}).
   *
   * @param bytes a positive size
   * @return this builder
   */
  public AnyCapClientBuilder maxUploadBytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("maxUploadBytes must be positive, got " + bytes);
    }
    this.maxUploadBytes = bytes;
    return this;
  }

  /**
   * How many uploads the client remembers (by SHA-256 of the bytes) so that a file named again
   * is not uploaded again; default 1,024, least recently used first out.
   *
   * @param entries at least 1
   * @return this builder
   */
  public AnyCapClientBuilder uploadCacheSize(int entries) {
    if (entries < 1) {
      throw new IllegalArgumentException("uploadCacheSize must be at least 1, got " + entries);
    }
    this.uploadCacheSize = entries;
    return this;
  }

  /** Waits between upload attempts; tests replace it to see the delays without sleeping. */
  AnyCapClientBuilder uploadPause(Pause pause) {
    this.uploadPause = Objects.requireNonNull(pause, "pause");
    return this;
  }

  /**
   * The clock used to turn {@code Retry-After} dates into delays; for tests. Default: the
   * system clock (UTC).
   *
   * @param clock the clock
   * @return this builder
   */
  public AnyCapClientBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Hears every HTTP exchange of the client (API calls, downloads, upload {@code PUT}s), for
   * metrics and traces, such as {@code anycap-micrometer}'s. Default: {@link
   * ExchangeListener#NONE}. The listener sees routes, statuses, error codes, durations and ids;
   * never the API key or a URL.
   *
   * @param listener the listener
   * @return this builder
   */
  public AnyCapClientBuilder exchangeListener(ExchangeListener listener) {
    this.exchangeListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Builds the client; sends nothing. The builder can be reused.
   *
   * @return a new client
   * @throws IllegalStateException when no API key is set (naming {@code ANYCAP_API_KEY}), when a
   *     plain-http endpoint is not loopback and not explicitly allowed, or when a supplied
   *     {@link HttpClient} follows redirects
   */
  public AnyCapClient build() {
    if (apiKey == null || apiKey.isBlank()) {
      throw new IllegalStateException(
          "no AnyCap API key: set the " + API_KEY_ENV + " environment variable or call apiKey(...)");
    }
    ApiKey key;
    try {
      key = ApiKey.of(apiKey);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage());
    }
    if (endpoint.getScheme().equalsIgnoreCase("http")
        && !allowInsecureEndpoint
        && !isLoopback(endpoint.getHost())) {
      throw new IllegalStateException(
          "refusing plain-http endpoint "
              + endpoint
              + ": the API key would cross the network unencrypted; use https, or call"
              + " allowInsecureEndpoint(true) if you really mean it");
    }
    HttpClient http = httpClient;
    if (http == null) {
      HttpClient.Builder hb =
          HttpClient.newBuilder()
              .connectTimeout(connectTimeout)
              .followRedirects(HttpClient.Redirect.NEVER);
      if (executor != null) {
        hb.executor(executor);
      }
      http = hb.build();
    } else if (http.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalStateException(
          "the supplied HttpClient follows redirects ("
              + http.followRedirects()
              + "); build it with followRedirects(HttpClient.Redirect.NEVER) so the API key"
              + " cannot be carried to another host");
    }
    return new AnyCapClient(this, http, key);
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses: resolving a name here would be a network call in build().
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  @Override
  public String toString() {
    return "AnyCapClientBuilder{endpoint=" + endpoint + ", apiKey=" + (apiKey == null ? "unset" : "[redacted]") + '}';
  }
}

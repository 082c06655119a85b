package ai.anycap.testkit;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.internal.SimJson;
import ai.anycap.testkit.internal.SimulatorConfig;
import ai.anycap.testkit.internal.SimulatorServer;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local AnyCap API on a loopback port, for tests, examples and benchmarks: it speaks the wire
 * protocol of the public AnyCap CLI, renders real (small) PNG images, bills credits, and injects
 * latency, rate limits and faults on demand.
 *
 * <pre>{@code
 * try (AnyCapSimulator sim = AnyCapSimulator.builder()
 *         .latency(Duration.ofMillis(500))
 *         .rateLimit(50, 10)
 *         .fault(Fault.serverError(503).probability(0.1))
 *         .seed(42)
 *         .start()) {
 *   AnyCapClient client = sim.client();
 *   ImageGeneration g = client.images().generate(
 *       ImageRequest.builder().model("nano-banana-2").prompt("a paper crane").build());
 *   client.images().download(g.firstOutput(), Path.of("out/crane.png"));
 *   assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>It serves {@code POST /v1/image/generate}, {@code /v1/image/edit}, {@code
 * /v1/image/upscale}, {@code /v1/capabilities/image/read}, {@code /v1/capabilities/presign} with
 * the upload URLs it hands out ({@code PUT /uploads/{session}}, no key) and the object URLs of
 * uploaded files ({@code GET /objects/{file}}), {@code GET /v1/image/models}, {@code
 * /v1/image/models/{id}}, {@code /v1/image/models/{id}/schema}, {@code /v1/status}, the artifact
 * URLs that results point at ({@code /artifacts/{id}.png?expires=..&sig=..}, no key), and its own
 * {@code GET /_simulator/counters} (the counters as JSON, not counted). Models: {@code
 * nano-banana-2}, {@code nano-banana-pro} and {@code seedream-5}, each with {@code generate} in
 * {@code text-to-image} and {@code image-to-image} mode and {@code edit}, one credit an image.
 *
 * <p>Defaults: loopback only, an ephemeral port; any key accepted (set {@link Builder#apiKey(String)} to require
 * one); no latency; no rate limit; unlimited credits; no faults; a random seed (logged, and in
 * {@link #toString()}, so a failing run can be repeated); artifact URLs valid for an hour; the
 * system clock; schemas in the JSON-schema form; an upscale costs 2 credits, a read 1; uploads up
 * to 20 MiB. Thread-safe: faults and credits can be changed while requests run.
 */
public final class AnyCapSimulator implements AutoCloseable {

  /** The key {@link #client()} sends when the simulator requires none. */
  public static final String DEFAULT_CLIENT_KEY = "ak_test_simulator";

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.testkit");

  private final SimulatorConfig config;
  private final SimulatorServer server;
  private volatile AnyCapClient client;
  private volatile boolean closed;

  private AnyCapSimulator(SimulatorConfig config) {
    this.config = config;
    this.server = SimulatorServer.start(config);
    log.debug("{} started", this);
  }

  /**
   * Starts configuring a simulator; nothing listens until {@link Builder#start()}.
   *
   * @return a new builder with every default
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A simulator with every default, started.
   *
   * @return a running simulator on an ephemeral loopback port; close it when done
   * @throws java.io.UncheckedIOException when no port can be bound
   */
  public static AnyCapSimulator create() {
    return builder().start();
  }

  /**
   * Where it listens; pass it as the client's endpoint.
   *
   * @return such as {@code http://127.0.0.1:41234}; the {@link Builder#publicBaseUri(URI)} when
   *     one is set
   */
  public URI baseUri() {
    return server.baseUri();
  }

  /**
   * The address it listens on.
   *
   * @return the one given to {@link Builder#bindAddress(InetAddress)}; loopback by default
   */
  public InetAddress bindAddress() {
    return config.bindAddress();
  }

  /**
   * The port it listens on: the one given to {@link Builder#port(int)}, or the one picked.
   *
   * @return the port
   */
  public int port() {
    return server.port();
  }

  /**
   * The seed its faults and latencies draw from: pass it to {@link Builder#seed(long)} to repeat
   * a run.
   *
   * @return the seed given, or the random one drawn
   */
  public long seed() {
    return config.seed();
  }

  /**
   * A client wired to this simulator: its endpoint, its key (or {@value #DEFAULT_CLIENT_KEY}) and
   * its clock. The same instance on every call.
   *
   * @return the shared client; it is thread-safe
   */
  public AnyCapClient client() {
    AnyCapClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = clientBuilder().build();
          client = c;
        }
      }
    }
    return c;
  }

  /**
   * A client builder set up as {@link #client()} is, to change timeouts or the executor.
   *
   * @return a new builder with this simulator's endpoint, key and clock
   */
  public AnyCapClient.Builder clientBuilder() {
    return AnyCapClient.builder()
        .endpoint(baseUri())
        .apiKey(config.apiKey() == null ? DEFAULT_CLIENT_KEY : config.apiKey())
        .clock(config.clock());
  }

  /**
   * What it has seen so far.
   *
   * @return a snapshot; later requests do not change it
   */
  public SimulatorCounters counters() {
    return server.counters();
  }

  /**
   * Waits until the counters satisfy {@code condition}, waking on every change rather than
   * sleeping; for work that finishes on the server after the client has its answer (or gave up).
   *
   * @param condition tested on each new snapshot, on the thread that changed the counters: keep
   *     it quick
   * @param timeout how long to wait at most
   * @return the counters that satisfied it
   * @throws AssertionError when {@code timeout} passes first, showing the last counters
   */
  public SimulatorCounters awaitCounters(Predicate<SimulatorCounters> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    try {
      SimulatorCounters c = server.liveCounters().await(condition, timeout);
      if (c == null) {
        throw new AssertionError(
            "simulator counters did not reach the condition within " + timeout + ": " + counters());
      }
      return c;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for simulator counters", e);
    }
  }

  /**
   * How the simulator answered each generate request with exactly this request's body, in the
   * order the requests arrived ({@code "pending"} for one not yet answered): the status ({@code "200"}, {@code "429"}, {@code "0"} for a reset), followed by the
   * fault's spec name when one shaped the answer ({@code "500 do-not-retry"}, {@code "200
   * malformed-json"}, {@code "200 hang"}). A clean {@code "200"} is an image the client received;
   * a well-behaved client sends nothing for that body after it.
   *
   * @param request the request, compared by the JSON body it sends
   * @return one entry a request with that body, oldest first; empty when none arrived
   */
  public List<String> generateHistory(ImageRequest request) {
    Objects.requireNonNull(request, "request");
    return server.liveCounters().history(SimJson.fingerprint(request.toBody()));
  }

  /** Zeroes the counters (not the credit balance, nor the faults' request counts). */
  public void resetCounters() {
    server.liveCounters().reset();
  }

  /**
   * Credits left.
   *
   * @return the balance; {@link Long#MAX_VALUE} when unlimited
   */
  public long creditBalance() {
    return server.creditBalance();
  }

  /**
   * Adds credits to a limited balance (no effect on an unlimited one), as a top-up would.
   *
   * @param credits not negative
   */
  public void addCredits(long credits) {
    if (credits < 0) {
      throw new IllegalArgumentException("credits must not be negative, got " + credits);
    }
    server.addCredits(credits);
  }

  /**
   * Forgets every uploaded file, as storage that expired them would: their object URLs are
   * refused from now on (400 naming the URL), and a presign of the same bytes is no longer {@code
   * reused}. For testing a client's upload cache.
   */
  public void expireUploads() {
    server.expireUploads();
  }

  /**
   * Installs a fault from now on, after those installed already; its request numbers count from
   * the next request.
   *
   * @param fault the fault
   */
  public void addFault(Fault fault) {
    server.faults().add(Objects.requireNonNull(fault, "fault"));
  }

  /** Removes every fault. */
  public void clearFaults() {
    server.faults().clear();
  }

  /**
   * The faults installed now.
   *
   * @return an unmodifiable copy, in the order they were added
   */
  public List<Fault> faults() {
    return server.faults().faults();
  }

  /** Stops serving and drops open connections, answered or not. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      server.close();
    }
  }

  @Override
  public String toString() {
    return "AnyCapSimulator{" + baseUri() + ", seed=" + config.seed() + ", faults=" + faults() + '}';
  }

  /** Configures and starts an {@link AnyCapSimulator}; not thread-safe, reusable. */
  public static final class Builder {
    private String apiKey;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private URI publicBaseUri;
    private int port;
    private Latency latency = Latency.none();
    private final Map<String, Latency> modelLatency = new HashMap<>();
    private double permitsPerSecond;
    private int burst;
    private long credits = Long.MAX_VALUE;
    private final List<Fault> faults = new ArrayList<>();
    private Long seed;
    private Duration artifactTtl = Duration.ofHours(1);
    private Clock clock = Clock.systemUTC();
    private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private SchemaForm schemaForm = SchemaForm.JSON_SCHEMA;
    private long upscaleCredits = 2;
    private long readCredits = 1;
    private long maxUploadBytes = 20L * 1024 * 1024;

    private Builder() {}

    /**
     * Requires every API call to carry {@code Authorization: Bearer <apiKey>}, answering 401
     * otherwise. Default: none, any key (or none) is accepted.
     *
     * @param apiKey not blank
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      this.apiKey = apiKey;
      return this;
    }

    /**
     * The address to listen on. Default: loopback ({@code 127.0.0.1}), so only this machine can
     * reach it. A wildcard ({@code 0.0.0.0}) serves every interface, for a service in another
     * container; then anyone who can reach the port can use the simulator (with any key unless
     * {@link #apiKey(String)} is set), and {@link #publicBaseUri(URI)} tells it the name that
     * service uses, for the artifact and upload URLs it hands out.
     *
     * @param address an address of this machine, or a wildcard
     * @return this builder
     */
    public Builder bindAddress(InetAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * The base of every URL the simulator hands out (artifact, upload and object URLs) and of
     * {@link AnyCapSimulator#baseUri()}, for clients that reach it under another name, such as
     * {@code http://simulator:8787} in a compose project; set {@link #port(int)} to match. Default:
     * none, {@code http://<bind address>:<port>} ({@code 127.0.0.1} when bound to every
     * interface).
     *
     * @param uri an absolute http(s) URI with a host, and no query or fragment
     * @return this builder
     * @throws IllegalArgumentException when it is not such a URI
     */
    public Builder publicBaseUri(URI uri) {
      Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "publicBaseUri must be an http(s) URI with a host and no query or fragment, got " + uri);
      }
      this.publicBaseUri = uri;
      return this;
    }

    /**
     * The port to listen on. Default: 0, a free one picked when it starts ({@link
     * AnyCapSimulator#port()} tells which).
     *
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be within 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * A fixed generate latency for every model without one of its own. Default: none.
     *
     * @param latency how long each generate takes before it answers
     * @return this builder
     */
    public Builder latency(Duration latency) {
      return latency(Latency.fixed(latency));
    }

    /**
     * The generate latency for every model without one of its own. Default: {@link
     * Latency#none()}.
     *
     * @param latency fixed, uniform or log-normal; drawn from the seed
     * @return this builder
     */
    public Builder latency(Latency latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /**
     * The generate latency of one model, over the one for every model. Default: none.
     *
     * @param model a model id, such as {@code seedream-5}
     * @param latency that model's latency
     * @return this builder
     */
    public Builder latency(String model, Latency latency) {
      modelLatency.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(latency, "latency"));
      return this;
    }

    /**
     * A token bucket on generate: {@code permitsPerSecond} refill it, it holds {@code burst}, and
     * a request that finds it empty gets 429 with {@code Retry-After} in whole seconds. Default:
     * no limit.
     *
     * @param permitsPerSecond positive and finite
     * @param burst at least 1; the bucket starts full
     * @return this builder
     */
    public Builder rateLimit(double permitsPerSecond, int burst) {
      if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
        throw new IllegalArgumentException("permitsPerSecond must be positive, got " + permitsPerSecond);
      }
      if (burst < 1) {
        throw new IllegalArgumentException("burst must be at least 1, got " + burst);
      }
      this.permitsPerSecond = permitsPerSecond;
      this.burst = burst;
      return this;
    }

    /**
     * A credit balance (default unlimited): each image takes one credit, and a generate that finds
     * too few gets 402 with code {@code IMAGE_INSUFFICIENT_CREDIT}.
     *
     * @param credits not negative
     * @return this builder
     */
    public Builder credits(long credits) {
      if (credits < 0) {
        throw new IllegalArgumentException("credits must not be negative, got " + credits);
      }
      this.credits = credits;
      return this;
    }

    /**
     * Adds a fault; faults are tried in the order added, the first that applies shapes the
     * answer. Default: no faults.
     *
     * @param fault the fault
     * @return this builder
     */
    public Builder fault(Fault fault) {
      faults.add(Objects.requireNonNull(fault, "fault"));
      return this;
    }

    /**
     * The seed for faults, latencies and URL signatures: the same seed and requests give the same
     * answers. Default: random (logged, and in {@link AnyCapSimulator#seed()}).
     *
     * @param seed any number
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * How long artifact URLs stay valid; after that they answer 403. Default: one hour.
     *
     * @param ttl positive
     * @return this builder
     */
    public Builder artifactTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("artifactTtl must be positive, got " + ttl);
      }
      this.artifactTtl = ttl;
      return this;
    }

    /**
     * The clock for the rate limit, artifact expiry and {@code Retry-After} dates; a test can
     * move time on with its own clock. Latency and hangs use real time. Default: the system clock
     * (UTC).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Threads serving requests; a request in its latency holds no thread. Default: twice the
     * cores, at least 4.
     *
     * @param threads at least 1
     * @return this builder
     */
    public Builder workerThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("workerThreads must be at least 1, got " + threads);
      }
      this.workerThreads = threads;
      return this;
    }

    /**
     * The form of the {@code model_params} it publishes; default {@link SchemaForm#JSON_SCHEMA}.
     *
     * @param form the form
     * @return this builder
     */
    public Builder schemaForm(SchemaForm form) {
      this.schemaForm = Objects.requireNonNull(form, "form");
      return this;
    }

    /**
     * What an upscale costs in credits; default 2, as in the recording.
     *
     * @param credits zero or more
     * @return this builder
     */
    public Builder upscaleCredits(long credits) {
      this.upscaleCredits = nonNegative(credits, "upscaleCredits");
      return this;
    }

    /**
     * What an image read costs in credits; default 1.
     *
     * @param credits zero or more
     * @return this builder
     */
    public Builder readCredits(long credits) {
      this.readCredits = nonNegative(credits, "readCredits");
      return this;
    }

    /**
     * The largest file a presign accepts; default 20 MiB. A presign for more answers 413 {@code
     * FILE_TOO_LARGE}.
     *
     * @param bytes a positive size
     * @return this builder
     */
    public Builder maxUploadBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxUploadBytes must be positive, got " + bytes);
      }
      this.maxUploadBytes = bytes;
      return this;
    }

    private static long nonNegative(long v, String name) {
      if (v < 0) {
        throw new IllegalArgumentException(name + " must not be negative, got " + v);
      }
      return v;
    }

    /**
     * Binds the port and starts serving. The builder can start more simulators afterwards.
     *
     * @return the running simulator; close it when done
     * @throws java.io.UncheckedIOException when the port cannot be bound
     */
    public AnyCapSimulator start() {
      long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
      return new AnyCapSimulator(
          new SimulatorConfig(
              apiKey, bindAddress, publicBaseUri, port, latency, modelLatency, permitsPerSecond, burst,
              credits, faults, s, artifactTtl, clock, workerThreads, schemaForm, upscaleCredits,
              readCredits, maxUploadBytes));
    }
  }
}

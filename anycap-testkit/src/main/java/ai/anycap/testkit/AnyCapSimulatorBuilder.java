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

/** Configures and starts an {@link AnyCapSimulator}; not thread-safe, reusable. */
public final class AnyCapSimulatorBuilder {
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

  AnyCapSimulatorBuilder() {}

  /**
   * Requires every API call to carry {@code Authorization: Bearer <apiKey>}, answering 401
   * otherwise. Default: none, any key (or none) is accepted.
   *
   * @param apiKey not blank
   * @return this builder
   */
  public AnyCapSimulatorBuilder apiKey(String apiKey) {
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
  public AnyCapSimulatorBuilder bindAddress(InetAddress address) {
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
  public AnyCapSimulatorBuilder publicBaseUri(URI uri) {
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
  public AnyCapSimulatorBuilder port(int port) {
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
  public AnyCapSimulatorBuilder latency(Duration latency) {
    return latency(Latency.fixed(latency));
  }

  /**
   * The generate latency for every model without one of its own. Default: {@link
   * Latency#none()}.
   *
   * @param latency fixed, uniform or log-normal; drawn from the seed
   * @return this builder
   */
  public AnyCapSimulatorBuilder latency(Latency latency) {
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
  public AnyCapSimulatorBuilder latency(String model, Latency latency) {
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
  public AnyCapSimulatorBuilder rateLimit(double permitsPerSecond, int burst) {
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
  public AnyCapSimulatorBuilder credits(long credits) {
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
  public AnyCapSimulatorBuilder fault(Fault fault) {
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
  public AnyCapSimulatorBuilder seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * How long artifact URLs stay valid; after that they answer 403. Default: one hour.
   *
   * @param ttl positive
   * @return this builder
   */
  public AnyCapSimulatorBuilder artifactTtl(Duration ttl) {
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
  public AnyCapSimulatorBuilder clock(Clock clock) {
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
  public AnyCapSimulatorBuilder workerThreads(int threads) {
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
  public AnyCapSimulatorBuilder schemaForm(SchemaForm form) {
    this.schemaForm = Objects.requireNonNull(form, "form");
    return this;
  }

  /**
   * What an upscale costs in credits; default 2, as in the recording.
   *
   * @param credits zero or more
   * @return this builder
   */
  public AnyCapSimulatorBuilder upscaleCredits(long credits) {
    this.upscaleCredits = nonNegative(credits, "upscaleCredits");
    return this;
  }

  /**
   * What an image read costs in credits; default 1.
   *
   * @param credits zero or more
   * @return this builder
   */
  public AnyCapSimulatorBuilder readCredits(long credits) {
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
  public AnyCapSimulatorBuilder maxUploadBytes(long bytes) {
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
    return AnyCapSimulator.start(
        new SimulatorConfig(
            apiKey, bindAddress, publicBaseUri, port, latency, modelLatency, permitsPerSecond, burst,
            credits, faults, s, artifactTtl, clock, workerThreads, schemaForm, upscaleCredits,
            readCredits, maxUploadBytes));
  }
}

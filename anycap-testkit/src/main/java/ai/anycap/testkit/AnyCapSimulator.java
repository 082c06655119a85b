package ai.anycap.testkit;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapClientBuilder;
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
 * <p>Defaults: loopback only, an ephemeral port; any key accepted (set {@link
 * AnyCapSimulatorBuilder#apiKey(String)} to require
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

  /** Starts a simulator with {@code config}; for {@link AnyCapSimulatorBuilder#start()}. */
  static AnyCapSimulator start(SimulatorConfig config) {
    return new AnyCapSimulator(config);
  }

  private AnyCapSimulator(SimulatorConfig config) {
    this.config = config;
    this.server = SimulatorServer.start(config);
    log.debug("{} started", this);
  }

  /**
   * Starts configuring a simulator; nothing listens until {@link AnyCapSimulatorBuilder#start()}.
   *
   * @return a new builder with every default
   */
  public static AnyCapSimulatorBuilder builder() {
    return new AnyCapSimulatorBuilder();
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
   * @return such as {@code http://127.0.0.1:41234}; the {@link
   * AnyCapSimulatorBuilder#publicBaseUri(URI)} when
   *     one is set
   */
  public URI baseUri() {
    return server.baseUri();
  }

  /**
   * The address it listens on.
   *
   * @return the one given to {@link AnyCapSimulatorBuilder#bindAddress(InetAddress)}; loopback by default
   */
  public InetAddress bindAddress() {
    return config.bindAddress();
  }

  /**
   * The port it listens on: the one given to {@link AnyCapSimulatorBuilder#port(int)}, or the one picked.
   *
   * @return the port
   */
  public int port() {
    return server.port();
  }

  /**
   * The seed its faults and latencies draw from: pass it to {@link
   * AnyCapSimulatorBuilder#seed(long)} to repeat
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
  public AnyCapClientBuilder clientBuilder() {
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
   * order the requests arrived ({@code "pending"} for one not yet answered): the status ({@code
   * "200"}, {@code "429"}, {@code "0"} for a reset), followed by the
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
}

package ai.anycap.testkit.internal;

import ai.anycap.testkit.FaultKind;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import ai.anycap.testkit.TokenBucket;
import ai.anycap.testkit.internal.ArtifactStore.Forbidden;
import ai.anycap.testkit.internal.ArtifactStore.Found;
import ai.anycap.testkit.internal.ArtifactStore.Lookup;
import ai.anycap.testkit.internal.Envelopes.ApiError;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's HTTP side: the JDK's {@link HttpServer} on a loopback port, routing every
 * request to the protocol's endpoints and answering each once, often from a scheduled task after
 * the handler has returned, so that latency and hangs hold no thread.
 *
 * <p>The endpoints live in classes of their own: {@link ImageOperations} (generate, edit,
 * upscale, read), {@link UploadEndpoints} (presign, the upload {@code PUT}, object fetches) and
 * {@link InfoEndpoints} (models, schemas, status, counters); artifact downloads are here. This
 * class holds what they share: the key check, billing, timers and ids.
 */
public final class SimulatorServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.testkit");
  static final int MAX_BODY = 1024 * 1024;
  public static final String COUNTERS_PATH = "/_simulator/counters";
  private static final String MODELS = "/v1/image/models";

  final SimulatorConfig config;
  private final HttpServer server;
  private final URI baseUri;
  final ExecutorService workers;
  final ScheduledThreadPoolExecutor scheduler;
  final LiveCounters counters = new LiveCounters();
  final FaultPlan faults;
  final ArtifactStore artifacts;
  final ImageRenderer renderer = new ImageRenderer();
  final UploadStore uploads;
  final TokenBucket bucket;
  private final AtomicLong balance;
  private final AtomicLong requestIds = new AtomicLong();
  private final ImageOperations operations;
  private final UploadEndpoints uploadEndpoints;
  private final InfoEndpoints info;

  private SimulatorServer(SimulatorConfig config) throws IOException {
    this.config = config;
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs, and
    // every answer waits ~40 ms. Read once, when the JDK's server classes first load.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    // The JDK's server closes a connection as its answer ends once 200 others are idle; a client
    // holding a thousand generations in flight then finds pooled connections closed under its next
    // request ("header parser received no bytes"), a failure a real API does not cause.
    if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
      System.setProperty("sun.net.httpserver.maxIdleConnections", "10000");
    }
    InetAddress address = config.bindAddress();
    this.server = HttpServer.create(new InetSocketAddress(address, config.port()), 1024);
    this.baseUri = config.publicBaseUri() != null
        ? URI.create(config.publicBaseUri().toString().replaceAll("/+$", ""))
        : URI.create("http://" + uriHost(address) + ":" + server.getAddress().getPort());
    this.workers = Executors.newFixedThreadPool(config.workerThreads(), threads("anycap-simulator-worker"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads("anycap-simulator-timer"));
    scheduler.setRemoveOnCancelPolicy(true);
    this.faults = new FaultPlan(config.seed(), config.faults());
    SplittableRandom keys = new SplittableRandom(Seeds.mix(config.seed(), 0, 0));
    byte[] signingKey = new byte[32];
    keys.nextBytes(signingKey);
    this.artifacts = new ArtifactStore(baseUri, config.clock(), config.artifactTtl(), signingKey);
    this.uploads = new UploadStore(baseUri, Seeds.mix(config.seed(), 2, 0));
    this.bucket = config.permitsPerSecond() > 0
        ? new TokenBucket(config.permitsPerSecond(), config.burst(), config.clock())
        : null;
    if (bucket != null) {
      counters.rateLimit(bucket::unusedPermits);
    }
    this.balance = new AtomicLong(config.credits());
    this.operations = new ImageOperations(this);
    this.uploadEndpoints = new UploadEndpoints(this);
    this.info = new InfoEndpoints(this);
    server.createContext("/", this::handle);
    server.setExecutor(workers);
  }

  /** Binds and starts serving. */
  public static SimulatorServer start(SimulatorConfig config) {
    try {
      SimulatorServer s = new SimulatorServer(config);
      s.server.start();
      return s;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot start the AnyCap simulator on " + uriHost(config.bindAddress()) + ":" + config.port()
              + ": " + e.getMessage(), e);
    }
  }

  /**
   * The host of the base URI: the bound address, or loopback when bound to every interface (the
   * URI must work from this machine; other machines are given a public base URI).
   */
  private static String uriHost(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "127.0.0.1";
    }
    String host = address.getHostAddress();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  public URI baseUri() {
    return baseUri;
  }

  /** The port it listens on, whatever {@link #baseUri()} says. */
  public int port() {
    return server.getAddress().getPort();
  }

  public SimulatorCounters counters() {
    return counters.snapshot();
  }

  public LiveCounters liveCounters() {
    return counters;
  }

  public FaultPlan faults() {
    return faults;
  }

  /** Forgets every uploaded file, so that their object URLs are refused from now on. */
  public void expireUploads() {
    uploads.clear();
  }

  public long creditBalance() {
    return balance.get();
  }

  public void addCredits(long credits) {
    // Unlimited stays unlimited; a limited balance saturates just below it.
    balance.getAndUpdate(
        b -> b == Long.MAX_VALUE ? b : b + Math.min(credits, Long.MAX_VALUE - 1 - b));
  }

  @Override
  public void close() {
    server.stop(0);
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  // ---- routing ----

  private void handle(HttpExchange ex) {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    if (path.equals(COUNTERS_PATH) && method.equals("GET")) {
      info.countersJson(ex);
      return;
    }
    if (path.startsWith(ArtifactStore.PATH_PREFIX)) {
      Call call = new Call(ex, SimulatorCounters.DOWNLOAD, false, counters);
      guarded(call, () -> download(call, method, path.substring(ArtifactStore.PATH_PREFIX.length())));
      return;
    }
    if (path.startsWith(UploadStore.UPLOAD_PATH) && method.equals("PUT")) {
      Call call = new Call(ex, SimulatorCounters.UPLOAD, false, counters);
      guarded(call, () -> uploadEndpoints.put(call, path.substring(UploadStore.UPLOAD_PATH.length())));
      return;
    }
    if (path.startsWith(UploadStore.OBJECT_PATH) && method.equals("GET")) {
      Call call = new Call(ex, SimulatorCounters.OBJECT, false, counters);
      guarded(call, () -> uploadEndpoints.object(call, path.substring(UploadStore.OBJECT_PATH.length())));
      return;
    }
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    ImageOperations.Op op = ImageOperations.Op.at(p);
    if (op != null && post) {
      Call call = new Call(ex, op.endpoint(), op == ImageOperations.Op.GENERATE, counters);
      guarded(call, () -> operations.handle(call, op));
    } else if (p.equals("/v1/capabilities/presign") && post) {
      Call call = new Call(ex, SimulatorCounters.PRESIGN, false, counters);
      guarded(call, () -> uploadEndpoints.presign(call));
    } else if (p.equals(MODELS) && get) {
      Call call = new Call(ex, SimulatorCounters.MODELS, false, counters);
      guarded(call, () -> api(call, () -> call.json(200, SimJson.write(ModelCatalog.listJson()))));
    } else if (p.startsWith(MODELS + "/") && p.endsWith("/schema") && get) {
      String id = p.substring(MODELS.length() + 1, p.length() - "/schema".length());
      Call call = new Call(ex, SimulatorCounters.SCHEMA, false, counters);
      guarded(call, () -> api(call, () -> info.schema(call, decode(id), ex.getRequestURI().getRawQuery())));
    } else if (p.startsWith(MODELS + "/") && p.indexOf('/', MODELS.length() + 1) < 0 && get) {
      String id = p.substring(MODELS.length() + 1);
      Call call = new Call(ex, SimulatorCounters.MODEL, false, counters);
      guarded(call, () -> api(call, () -> info.model(call, decode(id))));
    } else if (p.equals("/v1/status") && get) {
      Call call = new Call(ex, SimulatorCounters.STATUS, false, counters);
      guarded(call, () -> info.status(call));
    } else {
      Call call = new Call(ex, SimulatorCounters.OTHER, false, counters);
      guarded(call, () -> {
        drain(ex);
        boolean known = op != null
            || p.equals("/v1/capabilities/presign")
            || p.equals("/v1/status")
            || p.startsWith(MODELS);
        error(call, known
            ? ApiError.of(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + p, "", false)
            : ApiError.of(404, "NOT_FOUND", "no such endpoint: " + method + " " + p,
                "the simulator serves /v1/image/{generate,edit,upscale,models}, /v1/capabilities/"
                    + "{presign,image/read} and /v1/status", false),
            "routing");
      });
    }
  }

  void guarded(Call call, Runnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      log.warn("AnyCap simulator failed on {}: {}", call.exchange().getRequestURI(), t.toString(), t);
      error(call, ApiError.of(500, "INTERNAL_ERROR", "simulator bug: " + t, "", false), "simulator");
    }
  }

  /** The checks every API call gets: protocol headers, then the key. */
  void api(Call call, Runnable answer) {
    checkProtocol(call);
    if (!authorized(call)) {
      return;
    }
    answer.run();
  }

  void checkProtocol(Call call) {
    String auth = call.header("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || auth.length() <= "Bearer ".length()) {
      counters.violation("API call without 'Authorization: Bearer <key>'");
    }
    String trace = call.header("X-Trace-Id");
    if (trace == null || trace.isBlank()) {
      counters.violation("API call without X-Trace-Id");
    }
  }

  /** Whether the call carries the configured key (any key when none is configured). */
  boolean keyMatches(Call call) {
    String auth = call.header("Authorization");
    return config.apiKey() == null
        ? auth != null && auth.startsWith("Bearer ")
        : ("Bearer " + config.apiKey()).equals(auth);
  }

  boolean authorized(Call call) {
    if (config.apiKey() == null) {
      return true;
    }
    String auth = call.header("Authorization");
    if (auth == null || auth.isBlank()) {
      error(call, ApiError.of(401, "MISSING_API_KEY", "no API key: send Authorization: Bearer <key>",
          "set ANYCAP_API_KEY", false), "auth");
      return false;
    }
    if (!auth.equals("Bearer " + config.apiKey())) {
      error(call, ApiError.of(401, "INVALID_API_KEY", "the API key is not valid",
          "check ANYCAP_API_KEY", false), "auth");
      return false;
    }
    return true;
  }

  /** Takes {@code cost} from the balance; false when it holds too little. */
  boolean charge(long cost) {
    if (config.unlimitedCredits()) {
      return true;
    }
    while (true) {
      long b = balance.get();
      if (b < cost) {
        return false;
      }
      if (balance.compareAndSet(b, b - cost)) {
        return true;
      }
    }
  }

  // ---- downloads ----

  private void download(Call call, String method, String file) {
    drain(call.exchange());
    if (call.header("Authorization") != null) {
      counters.violation("Authorization header sent to an artifact URL");
    }
    if (!method.equals("GET")) {
      call.send(405, "text/plain", bytes("method not allowed"), null);
      return;
    }
    Fault fault = faults.pick(FaultKind.Target.DOWNLOAD);
    if (fault != null && fault.kind() == FaultKind.ARTIFACT_STATUS) {
      call.send(fault.status(), "text/plain",
          bytes(fault.status() == 403 ? "access denied (simulated)" : "no such artifact (simulated)"), null);
      return;
    }
    Lookup lookup = artifacts.lookup(file, call.exchange().getRequestURI().getRawQuery());
    if (lookup instanceof Forbidden f) {
      call.send(403, "text/plain", bytes("access denied: " + f.reason()), null);
      return;
    }
    if (!(lookup instanceof Found found)) {
      call.send(404, "text/plain", bytes("no such artifact"), null);
      return;
    }
    byte[] png = renderer.png(found.key());
    if (fault == null) {
      call.send(200, "image/png", png, null);
    } else if (fault.kind() == FaultKind.TRUNCATED_DOWNLOAD) {
      call.truncated("image/png", png, png.length / 2);
    } else {
      long interval = TimeUnit.MILLISECONDS.toNanos(50);
      int chunk;
      if (fault.bytesPerSecond() > 0) {
        chunk = (int) Math.max(1, Math.min(png.length, fault.bytesPerSecond() / 20));
      } else {
        long slices = Math.max(1, fault.duration().toNanos() / interval);
        chunk = (int) Math.max(1, (png.length + slices - 1) / slices);
        interval = fault.duration().toNanos() / slices;
      }
      call.trickle("image/png", png, chunk, interval, scheduler, workers);
    }
  }

  // ---- helpers ----

  void error(Call call, ApiError e, String stage) {
    call.json(e.status(), Envelopes.structured(e, call.header("X-Trace-Id"), nextRequestId(), stage));
  }

  /** Runs {@code task} on a worker after {@code delay}, holding no thread meanwhile. */
  void later(Duration delay, Call call, Runnable task) {
    try {
      scheduler.schedule(
          () -> workers.execute(() -> guarded(call, task)), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // The simulator is closing; the connection goes with it.
    }
  }

  String nextRequestId() {
    return "req_sim" + Long.toHexString(requestIds.incrementAndGet());
  }

  /** Reads a request body of at most {@code max} bytes (one more tells it was longer), or null. */
  static byte[] body(Call call, long max) {
    try (InputStream in = call.exchange().getRequestBody()) {
      return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    } catch (IOException e) {
      return null;
    }
  }

  /** Reads and drops a request body. Not {@code skip()}: the JDK server's skip ignores its length. */
  static void drain(HttpExchange ex) {
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[8192];
      long total = 0;
      int n;
      while (total < MAX_BODY && (n = in.read(buf)) >= 0) {
        total += n;
      }
    } catch (IOException ignored) {
      // The answer will fail too, and that is handled there.
    }
  }

  /** A path segment, percent-decoded; as sent when it does not decode. */
  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException badEscape) {
      return segment;
    }
  }

  static String queryParam(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

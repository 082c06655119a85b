package ai.anycap.testkit.internal;

import ai.anycap.testkit.Fault;
import ai.anycap.testkit.Latency;
import ai.anycap.testkit.SimulatorCounters;
import ai.anycap.testkit.internal.ArtifactStore.Forbidden;
import ai.anycap.testkit.internal.ArtifactStore.Found;
import ai.anycap.testkit.internal.ArtifactStore.Lookup;
import ai.anycap.testkit.internal.Envelopes.ApiError;
import ai.anycap.testkit.internal.ImageRenderer.RenderKey;
import ai.anycap.testkit.internal.ModelCatalog.ModelSpec;
import ai.anycap.testkit.internal.ModelCatalog.Validation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>A generate request goes through, in order: fault choice (a fault that fires before the
 * generation answers here), the key check (401), the rate limit (429), schema validation (400),
 * the charge (402), the model's latency, the generation (counted and billed whatever happens
 * next), a fault that fires after the generation, and the answer.
 */
public final class SimulatorServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.testkit");
  private static final int MAX_BODY = 1024 * 1024;
  public static final String COUNTERS_PATH = "/_simulator/counters";
  private static final long LATENCY_STREAM = 1;
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private final SimulatorConfig config;
  private final HttpServer server;
  private final URI baseUri;
  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor scheduler;
  private final LiveCounters counters = new LiveCounters();
  private final FaultPlan faults;
  private final ArtifactStore artifacts;
  private final ImageRenderer renderer = new ImageRenderer();
  private final TokenBucket bucket;
  private final AtomicLong balance;
  private final AtomicLong requestIds = new AtomicLong();
  private final AtomicLong generateNumbers = new AtomicLong();

  private SimulatorServer(SimulatorConfig config) throws IOException {
    this.config = config;
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs, and
    // every answer waits ~40 ms. Read once, when the JDK's server classes first load.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    InetAddress address = config.bindAddress();
    this.server = HttpServer.create(new InetSocketAddress(address, config.port()), 1024);
    this.baseUri = URI.create("http://" + uriHost(address) + ":" + server.getAddress().getPort());
    this.workers = Executors.newFixedThreadPool(config.workerThreads(), threads("anycap-simulator-worker"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads("anycap-simulator-timer"));
    scheduler.setRemoveOnCancelPolicy(true);
    this.faults = new FaultPlan(config.seed(), config.faults());
    SplittableRandom keys = new SplittableRandom(Seeds.mix(config.seed(), 0, 0));
    byte[] signingKey = new byte[32];
    keys.nextBytes(signingKey);
    this.artifacts = new ArtifactStore(baseUri, config.clock(), config.artifactTtl(), signingKey);
    this.bucket = config.permitsPerSecond() > 0
        ? new TokenBucket(config.permitsPerSecond(), config.burst(), config.clock())
        : null;
    if (bucket != null) {
      counters.rateLimit(bucket::unusedPermits);
    }
    this.balance = new AtomicLong(config.credits());
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
   * URI must work from this machine; other machines get artifact URLs from their Host header).
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

  public SimulatorCounters counters() {
    return counters.snapshot();
  }

  public LiveCounters liveCounters() {
    return counters;
  }

  public FaultPlan faults() {
    return faults;
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
      countersJson(ex);
      return;
    }
    if (path.startsWith(ArtifactStore.PATH_PREFIX)) {
      Call call = new Call(ex, SimulatorCounters.DOWNLOAD, false, counters);
      guarded(call, () -> download(call, method, path.substring(ArtifactStore.PATH_PREFIX.length())));
      return;
    }
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    boolean get = method.equals("GET");
    if (p.equals("/v1/image/generate") && method.equals("POST")) {
      Call call = new Call(ex, SimulatorCounters.GENERATE, true, counters);
      guarded(call, () -> generate(call));
    } else if (p.equals("/v1/image/models") && get) {
      Call call = new Call(ex, SimulatorCounters.MODELS, false, counters);
      guarded(call, () -> api(call, () -> call.json(200, SimJson.write(ModelCatalog.listJson()))));
    } else if (p.startsWith("/v1/image/models/") && p.endsWith("/schema") && get) {
      String id = p.substring("/v1/image/models/".length(), p.length() - "/schema".length());
      Call call = new Call(ex, SimulatorCounters.SCHEMA, false, counters);
      guarded(call, () -> api(call, () -> schema(call, decode(id), ex.getRequestURI().getRawQuery())));
    } else if (p.startsWith("/v1/image/models/") && p.indexOf('/', "/v1/image/models/".length()) < 0 && get) {
      String id = p.substring("/v1/image/models/".length());
      Call call = new Call(ex, SimulatorCounters.MODEL, false, counters);
      guarded(call, () -> api(call, () -> model(call, decode(id))));
    } else if (p.equals("/v1/status") && get) {
      Call call = new Call(ex, SimulatorCounters.STATUS, false, counters);
      guarded(call, () -> status(call));
    } else {
      Call call = new Call(ex, SimulatorCounters.OTHER, false, counters);
      guarded(call, () -> {
        drain(ex);
        boolean known = p.equals("/v1/image/generate")
            || p.equals("/v1/status")
            || p.startsWith("/v1/image/models");
        error(call, known
            ? ApiError.of(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + p, "", false)
            : ApiError.of(404, "NOT_FOUND", "no such endpoint: " + method + " " + p,
                "the simulator serves /v1/image/generate, /v1/image/models and /v1/status", false),
            "routing");
      });
    }
  }

  private void guarded(Call call, Runnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      log.warn("AnyCap simulator failed on {}: {}", call.exchange().getRequestURI(), t.toString(), t);
      error(call, ApiError.of(500, "INTERNAL_ERROR", "simulator bug: " + t, "", false), "simulator");
    }
  }

  /** The checks every API call gets: protocol headers, then the key. */
  private void api(Call call, Runnable answer) {
    checkProtocol(call);
    if (!authorized(call)) {
      return;
    }
    answer.run();
  }

  private void checkProtocol(Call call) {
    String auth = call.header("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || auth.length() <= "Bearer ".length()) {
      counters.violation("API call without 'Authorization: Bearer <key>'");
    }
    String trace = call.header("X-Trace-Id");
    if (trace == null || trace.isBlank()) {
      counters.violation("API call without X-Trace-Id");
    }
  }

  private boolean authorized(Call call) {
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

  // ---- the simulator's own endpoint ----

  /**
   * {@code GET /_simulator/counters}: the counters as JSON, for processes that use a standalone
   * simulator. Not part of the AnyCap API, and not counted itself.
   */
  private void countersJson(HttpExchange ex) {
    SimulatorCounters c = counters.snapshot();
    ObjectNode root = SimJson.object();
    ObjectNode requests = root.putObject("requests");
    c.requests().forEach((endpoint, byStatus) -> {
      ObjectNode n = requests.putObject(endpoint);
      byStatus.forEach((status, count) -> n.put(Integer.toString(status), count));
    });
    root.put("images_generated", c.imagesGenerated());
    root.put("credits_charged", c.creditsCharged());
    if (config.unlimitedCredits()) {
      root.putNull("credit_balance");
    } else {
      root.put("credit_balance", balance.get());
    }
    root.put("in_flight", c.inFlight());
    root.put("peak_in_flight", c.peakInFlight());
    root.put("peak_generates_in_flight", c.peakGeneratesInFlight());
    root.put("distinct_requests_generated", c.generationsByRequest().size());
    root.put("duplicate_generations", c.duplicateGenerations());
    root.put("rate_limit_unused_permits", c.rateLimitUnusedPermits());
    c.protocolViolations().stream().sorted().forEach(root.putArray("protocol_violations")::add);
    byte[] body = SimJson.write(root);
    try {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (var out = ex.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException clientGone) {
      // Nothing to report to.
    } finally {
      ex.close();
    }
  }

  // ---- discovery and status ----

  private void model(Call call, String id) {
    ModelSpec m = ModelCatalog.find(id).orElse(null);
    if (m == null) {
      notFoundModel(call, id);
      return;
    }
    ObjectNode root = SimJson.object();
    root.set("model", ModelCatalog.modelJson(m));
    call.json(200, SimJson.write(root));
  }

  private void schema(Call call, String id, String rawQuery) {
    ModelSpec m = ModelCatalog.find(id).orElse(null);
    if (m == null) {
      notFoundModel(call, id);
      return;
    }
    String operation = queryParam(rawQuery, "operation");
    String mode = queryParam(rawQuery, "mode");
    ObjectNode body = ModelCatalog.schemaJson(m, operation, mode);
    if (body.get("schemas").isEmpty()) {
      error(call, ApiError.of(400, "IMAGE_INVALID_REQUEST",
          "model " + id + " has no operation '" + operation + "'"
              + (mode == null ? "" : " in mode '" + mode + "'"),
          "operations: generate; modes: " + m.modes(), false), "schema");
      return;
    }
    call.json(200, SimJson.write(body));
  }

  private void notFoundModel(Call call, String id) {
    error(call, ApiError.of(404, "MODEL_NOT_FOUND", "unknown model '" + id + "'",
        "known models: " + ModelCatalog.ids(), false), "models");
  }

  private void status(Call call) {
    checkProtocol(call);
    String auth = call.header("Authorization");
    boolean authenticated = config.apiKey() == null
        ? auth != null && auth.startsWith("Bearer ")
        : ("Bearer " + config.apiKey()).equals(auth);
    ObjectNode root = SimJson.object();
    root.put("status", "ok");
    root.put("server", "anycap-simulator");
    root.put("version", ai.anycap.client.internal.SdkVersion.VALUE);
    root.put("simulated", true);
    root.put("authenticated", authenticated);
    ObjectNode credits = root.putObject("credits");
    if (config.unlimitedCredits()) {
      credits.putNull("balance");
      credits.put("unlimited", true);
    } else {
      credits.put("balance", balance.get());
      credits.put("unlimited", false);
    }
    root.put("time", config.clock().instant().toString());
    call.json(200, SimJson.write(root));
  }

  // ---- generate ----

  /** A generate request's state between its stages. */
  private record Generation(Call call, String traceId, String requestId, Fault fault, byte[] body) {}

  private void generate(Call call) {
    byte[] body;
    try (InputStream in = call.exchange().getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    } catch (IOException e) {
      call.reset();
      return;
    }
    Fault fault = faults.pick(false);
    try {
      call.body(SimJson.fingerprint(SimJson.MAPPER.readTree(body)));
    } catch (IOException | RuntimeException e) {
      call.body("unreadable");
    }
    if (fault != null) {
      call.fault(fault.kind().specName());
    }
    Generation g = new Generation(call, call.header("X-Trace-Id"), nextRequestId(), fault, body);
    if (fault != null && !fault.firesAfterGeneration()) {
      if (fault.kind() == Fault.Kind.HANG) {
        later(fault.duration(), call, () -> admit(g));
        return;
      }
      answerFault(g, fault, "admission");
      return;
    }
    admit(g);
  }

  private void admit(Generation g) {
    Call call = g.call();
    checkProtocol(call);
    String contentType = call.header("Content-Type");
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      counters.violation("POST /v1/image/generate without 'Content-Type: application/json'");
    }
    if (!authorized(call)) {
      return;
    }
    if (bucket != null) {
      long waitNanos = bucket.tryAcquire();
      if (waitNanos > 0) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        ApiError e = ApiError.of(429, "RATE_LIMITED", "rate limit exceeded: "
                + config.permitsPerSecond() + " requests a second, burst " + config.burst(),
                "wait for Retry-After and slow down", true)
            .withDetails(List.of(Map.of(
                "limit_per_second", config.permitsPerSecond(), "burst", config.burst())));
        call.json(429, Envelopes.structured(e, g.traceId(), g.requestId(), "admission"), Long.toString(seconds));
        return;
      }
    }
    if (g.body().length > MAX_BODY) {
      error(g, ApiError.of(400, "IMAGE_INVALID_REQUEST", "request body is larger than 1 MiB", "", false));
      return;
    }
    JsonNode json;
    try {
      json = SimJson.MAPPER.readTree(g.body());
    } catch (IOException e) {
      json = null;
    }
    Validation v = ModelCatalog.validate(json);
    if (!v.ok()) {
      String message = v.violations().size() == 1
          ? v.violations().get(0).message()
          : v.violations().size() + " problems: " + v.violations().get(0).message() + "; ...";
      String model = json != null && json.hasNonNull("model") ? json.get("model").asText() : "{model}";
      error(g, ApiError.of(400, "IMAGE_INVALID_REQUEST", message,
              "see GET /v1/image/models/" + model + "/schema", false)
          .withDetails(Envelopes.details(v.violations())));
      return;
    }
    ModelCatalog.ValidRequest request = v.request();
    long cost = request.model().creditCost();
    if (!charge(cost)) {
      long left = balance.get();
      error(g, ApiError.of(402, "IMAGE_INSUFFICIENT_CREDIT",
              "insufficient credits: balance " + left + ", this image costs " + cost,
              "top up your AnyCap account", false)
          .withDetails(List.of(Map.of("balance", left, "credit_cost", cost))));
      return;
    }
    String fingerprint = SimJson.fingerprint(json);
    Latency latency = config.modelLatency().getOrDefault(request.model().id(), config.latency());
    long n = generateNumbers.incrementAndGet();
    Duration delay = latency.sample(new SplittableRandom(Seeds.mix(config.seed(), LATENCY_STREAM, n)));
    Runnable produce = () -> produce(g, request, fingerprint, cost);
    if (delay.isZero() || delay.isNegative()) {
      produce.run();
    } else {
      later(delay, g.call(), produce);
    }
  }

  private boolean charge(long cost) {
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

  /** Generates: from here on the image exists and is billed, whether or not the client hears. */
  private void produce(Generation g, ModelCatalog.ValidRequest r, String fingerprint, long cost) {
    counters.generated(fingerprint, cost);
    String url = artifacts.issue(new RenderKey(
        r.model().id(), r.mode(), r.prompt(), r.aspectRatio(), r.resolution(), r.references()),
        g.call().exchange().getRequestHeaders().getFirst("Host"));
    byte[] body = Envelopes.success(r.model().id(), cost, url, g.requestId());
    Fault fault = g.fault();
    if (fault != null && fault.firesAfterGeneration()) {
      switch (fault.kind()) {
        case HANG:
          later(fault.duration(), g.call(), () -> g.call().json(200, body));
          return;
        case MALFORMED_JSON:
          g.call().json(200, java.util.Arrays.copyOf(body, body.length / 2));
          return;
        default:
          answerFault(g, fault, "publishing");
          return;
      }
    }
    g.call().json(200, body);
  }

  private void answerFault(Generation g, Fault fault, String stage) {
    Call call = g.call();
    ApiError e;
    String retryAfter = null;
    switch (fault.kind()) {
      case RESET_CONNECTION:
        call.reset();
        return;
      case RATE_LIMITED: {
        e = ApiError.of(429, "RATE_LIMITED", "slow down (simulated)", "wait for Retry-After", true);
        Duration d = fault.duration();
        if (fault.usesHttpDate()) {
          Instant at = config.clock().instant().plus(d);
          Instant rounded = at.getNano() == 0 ? at : Instant.ofEpochSecond(at.getEpochSecond() + 1);
          retryAfter = HTTP_DATE.format(rounded);
        } else {
          retryAfter = Long.toString((d.toMillis() + 999) / 1000);
        }
        break;
      }
      case DO_NOT_RETRY:
        e = ApiError.of(500, "IMAGE_INTERNAL_ERROR",
            "simulated failure; the server says not to send this request again",
            "report it with the request id", false);
        break;
      case SERVER_ERROR:
        e = serverError(fault.status());
        break;
      default:
        throw new IllegalStateException("not a generate fault: " + fault);
    }
    byte[] body = fault.usesFlatEnvelope()
        ? Envelopes.flat(e, g.requestId())
        : Envelopes.structured(e, g.traceId(), g.requestId(), stage);
    call.json(e.status(), body, retryAfter);
  }

  private static ApiError serverError(int status) {
    switch (status) {
      case 500:
        return ApiError.of(500, "INTERNAL_ERROR", "simulated internal error", "retry later", true);
      case 502:
        return ApiError.of(502, "BAD_GATEWAY", "simulated bad gateway", "retry later", true);
      case 503:
        return ApiError.of(503, "IMAGE_UPSTREAM_UNAVAILABLE", "simulated: the image upstream is unavailable",
            "retry later", true).withFlatCode("upstream_unavailable");
      case 504:
        return ApiError.of(504, "GATEWAY_TIMEOUT", "simulated gateway timeout", "retry later", true);
      default:
        return ApiError.of(status, "SERVER_ERROR", "simulated server error " + status, "retry later", true);
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
    Fault fault = faults.pick(true);
    if (fault != null && fault.kind() == Fault.Kind.ARTIFACT_STATUS) {
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
    } else if (fault.kind() == Fault.Kind.TRUNCATED_DOWNLOAD) {
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

  private void error(Call call, ApiError e, String stage) {
    call.json(e.status(), Envelopes.structured(e, call.header("X-Trace-Id"), nextRequestId(), stage));
  }

  private void error(Generation g, ApiError e) {
    g.call().json(e.status(), Envelopes.structured(e, g.traceId(), g.requestId(), "admission"));
  }

  /** Runs {@code task} on a worker after {@code delay}, holding no thread meanwhile. */
  private void later(Duration delay, Call call, Runnable task) {
    try {
      scheduler.schedule(
          () -> workers.execute(() -> guarded(call, task)), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // The simulator is closing; the connection goes with it.
    }
  }

  private String nextRequestId() {
    return "req_sim" + Long.toHexString(requestIds.incrementAndGet());
  }

  /** Reads and drops a request body. Not {@code skip()}: the JDK server's skip ignores its length. */
  private static void drain(HttpExchange ex) {
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

  private static String queryParam(String rawQuery, String name) {
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

  private static byte[] bytes(String s) {
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

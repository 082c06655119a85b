package ai.anycap.testkit.internal;

import ai.anycap.testkit.FaultKind;
import ai.anycap.client.ImageFormat;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.Latency;
import ai.anycap.testkit.SimulatorCounters;
import ai.anycap.testkit.internal.Envelopes.ApiError;
import ai.anycap.testkit.internal.ImageRenderer.RenderKey;
import ai.anycap.testkit.internal.ModelCatalog.Validation;
import ai.anycap.testkit.internal.ModelCatalog.Violation;
import ai.anycap.testkit.internal.UploadStore.StoredObject;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The billed image operations: generate, edit, upscale and read. Each request goes through, in
 * order: fault choice (a fault that fires before the work answers here), the key check (401), the
 * rate limit (429), validation (400, naming every problem, including a reference to an upload
 * that is unknown or expired), the charge (402), the latency, the work (counted and billed
 * whatever happens next), a fault that fires after the work, and the answer.
 */
final class ImageOperations {

  private static final long LATENCY_STREAM = 1;
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  private static final List<String> UPSCALE_RESOLUTIONS = List.of("2k", "4k");

  /** The operations, by path. */
  enum Op {
    GENERATE(ModelCatalog.GENERATE, "/v1/image/generate", SimulatorCounters.GENERATE),
    EDIT(ModelCatalog.EDIT, "/v1/image/edit", SimulatorCounters.EDIT),
    UPSCALE("upscale", "/v1/image/upscale", SimulatorCounters.UPSCALE),
    READ("read", "/v1/capabilities/image/read", SimulatorCounters.READ);

    final String name;
    final String path;
    final String endpoint;

    Op(String name, String path, String endpoint) {
      this.name = name;
      this.path = path;
      this.endpoint = endpoint;
    }

    String endpoint() {
      return endpoint;
    }

    static Op at(String path) {
      for (Op op : values()) {
        if (op.path.equals(path)) {
          return op;
        }
      }
      return null;
    }
  }

  /** A request's state between its stages. */
  private record Request(
      Op op, Call call, String traceId, String requestId, Fault fault, byte[] body, String fingerprint) {}

  /**
   * A request that passed validation: the model whose latency applies, the cost, and the work,
   * which takes the request id and returns the answer's body.
   */
  private record Accepted(String model, long cost, Function<String, byte[]> work) {}

  private final SimulatorServer server;
  private final AtomicLong numbers = new AtomicLong();

  ImageOperations(SimulatorServer server) {
    this.server = server;
  }

  void handle(Call call, Op op) {
    byte[] body = SimulatorServer.body(call, SimulatorServer.MAX_BODY);
    if (body == null) {
      call.reset();
      return;
    }
    Fault fault = server.faults.pick(FaultKind.Target.IMAGE_OPERATION);
    String fingerprint = fingerprint(op, body);
    call.body(fingerprint);
    if (fault != null) {
      call.fault(fault.kind().specName());
    }
    Request r = new Request(op, call, call.header("X-Trace-Id"), server.nextRequestId(), fault, body, fingerprint);
    if (fault != null && !fault.firesAfterGeneration()) {
      if (fault.kind() == FaultKind.HANG) {
        server.later(fault.duration(), call, () -> admit(r));
        return;
      }
      answerFault(r, fault, "admission");
      return;
    }
    admit(r);
  }

  /** Generate bodies by their canonical form; other operations' prefixed with their name. */
  private static String fingerprint(Op op, byte[] body) {
    String canonical;
    try {
      canonical = SimJson.fingerprint(SimJson.MAPPER.readTree(body));
    } catch (IOException | RuntimeException e) {
      canonical = "unreadable";
    }
    return op == Op.GENERATE ? canonical : op.name + " " + canonical;
  }

  private void admit(Request r) {
    Call call = r.call();
    server.checkProtocol(call);
    String contentType = call.header("Content-Type");
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      server.counters.violation("POST " + r.op().path + " without 'Content-Type: application/json'");
    }
    if (!server.authorized(call)) {
      return;
    }
    SimulatorConfig config = server.config;
    if (server.bucket != null) {
      long waitNanos = server.bucket.tryAcquire();
      if (waitNanos > 0) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        ApiError e = ApiError.of(429, "RATE_LIMITED", "rate limit exceeded: "
                + config.permitsPerSecond() + " requests a second, burst " + config.burst(),
                "wait for Retry-After and slow down", true)
            .withDetails(List.of(Map.of(
                "limit_per_second", config.permitsPerSecond(), "burst", config.burst())));
        call.json(429, Envelopes.structured(e, r.traceId(), r.requestId(), "admission"), Long.toString(seconds));
        return;
      }
    }
    if (r.body().length > SimulatorServer.MAX_BODY) {
      error(r, ApiError.of(400, "IMAGE_INVALID_REQUEST", "request body is larger than 1 MiB", "", false));
      return;
    }
    JsonNode json;
    try {
      json = SimJson.MAPPER.readTree(r.body());
    } catch (IOException e) {
      json = null;
    }
    List<Violation> problems = new ArrayList<>();
    Accepted accepted = validate(r.op(), json, problems);
    if (accepted == null) {
      String message = problems.size() == 1
          ? problems.get(0).message()
          : problems.size() + " problems: " + problems.get(0).message() + "; ...";
      String model = json != null && json.hasNonNull("model") ? json.get("model").asText() : "{model}";
      String hint = r.op() == Op.GENERATE || r.op() == Op.EDIT
          ? "see GET /v1/image/models/" + model + "/schema?operation=" + r.op().name : "";
      error(r, ApiError.of(400, "IMAGE_INVALID_REQUEST", message, hint, false)
          .withDetails(Envelopes.details(problems)));
      return;
    }
    long cost = accepted.cost();
    if (!server.charge(cost)) {
      long left = server.creditBalance();
      error(r, ApiError.of(402, "IMAGE_INSUFFICIENT_CREDIT",
              "insufficient credits: balance " + left + ", this " + r.op().name + " costs " + cost,
              "top up your AnyCap account", false)
          .withDetails(List.of(Map.of("balance", left, "credit_cost", cost))));
      return;
    }
    Latency latency = accepted.model() == null
        ? config.latency()
        : config.modelLatency().getOrDefault(accepted.model(), config.latency());
    long n = numbers.incrementAndGet();
    Duration delay = latency.sample(new SplittableRandom(Seeds.mix(config.seed(), LATENCY_STREAM, n)));
    Runnable produce = () -> produce(r, accepted);
    if (delay.isZero() || delay.isNegative()) {
      produce.run();
    } else {
      server.later(delay, r.call(), produce);
    }
  }

  /** Does the work: from here on it exists and is billed, whether or not the client hears. */
  private void produce(Request r, Accepted a) {
    server.counters.produced(r.op().name, r.fingerprint(), a.cost());
    byte[] body = a.work().apply(r.requestId());
    Fault fault = r.fault();
    if (fault != null && fault.firesAfterGeneration()) {
      switch (fault.kind()) {
        case HANG:
          server.later(fault.duration(), r.call(), () -> r.call().json(200, body));
          return;
        case MALFORMED_JSON:
          r.call().json(200, java.util.Arrays.copyOf(body, body.length / 2));
          return;
        default:
          answerFault(r, fault, "publishing");
          return;
      }
    }
    r.call().json(200, body);
  }

  // ---- validation, one operation each ----

  private Accepted validate(Op op, JsonNode json, List<Violation> problems) {
    switch (op) {
      case GENERATE:
      case EDIT: {
        Validation v = ModelCatalog.validate(json, op.name, server.uploads::refusal);
        if (!v.ok()) {
          problems.addAll(v.violations());
          return null;
        }
        ModelCatalog.ValidRequest q = v.request();
        String mode = op == Op.EDIT ? ModelCatalog.EDIT : q.mode();
        long cost = q.model().creditCost();
        return new Accepted(q.model().id(), cost, id -> Envelopes.success(q.model().id(), cost,
            server.artifacts.issue(new RenderKey(
                q.model().id(), mode, q.prompt(), q.aspectRatio(), q.resolution(), q.references())),
            id));
      }
      case UPSCALE:
        return upscale(json, problems);
      default:
        return read(json, problems);
    }
  }

  private Accepted upscale(JsonNode json, List<Violation> problems) {
    List<String> images = new ArrayList<>();
    if (!object(json, Set.of("images", "resolution", "model"), problems)) {
      return null;
    }
    references(json.get("images"), false, images, problems);
    String resolution = "4k";
    JsonNode res = json.get("resolution");
    if (res != null) {
      if (!res.isTextual() || !UPSCALE_RESOLUTIONS.contains(res.asText())) {
        problems.add(new Violation("resolution", "not_in_enum",
            "'resolution' is " + res + "; allowed: " + UPSCALE_RESOLUTIONS, UPSCALE_RESOLUTIONS));
      } else {
        resolution = res.asText();
      }
    }
    JsonNode model = json.get("model");
    if (model != null && (!model.isTextual() || ModelCatalog.find(model.asText()).isEmpty())) {
      problems.add(new Violation("model", "unknown_model", "unknown model " + model, ModelCatalog.ids()));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    String name = model == null ? "upscale" : model.asText();
    String target = resolution;
    long cost = server.config.upscaleCredits();
    String shown = "upscaled to " + target + ": " + images.get(0).replaceAll("^.*/", "");
    return new Accepted(null, cost, id -> Envelopes.success(name, cost,
        server.artifacts.issue(new RenderKey(name, "upscale", shown, "1:1", target, images.size())), id));
  }

  private Accepted read(JsonNode json, List<Violation> problems) {
    List<String> images = new ArrayList<>();
    if (!object(json, Set.of("images", "instruction"), problems)) {
      return null;
    }
    references(json.get("images"), true, images, problems);
    JsonNode instruction = json.get("instruction");
    if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
      problems.add(new Violation("instruction", "missing", "'instruction' must be a non-blank string", List.of()));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    long cost = server.config.readCredits();
    String content = describe(instruction.asText(), images);
    return new Accepted(null, cost, id -> Envelopes.reading(content, cost, id));
  }

  /** Deterministic text naming each image and what the simulator knows of it. */
  private String describe(String instruction, List<String> images) {
    StringBuilder s = new StringBuilder("Simulated reading. Instruction: ").append(instruction);
    String artifacts = server.baseUri() + ArtifactStore.PATH_PREFIX;
    for (int i = 0; i < images.size(); i++) {
      String ref = images.get(i);
      s.append("\nImage ").append(i + 1).append(": ").append(ref).append(" - ");
      StoredObject o = server.uploads.resolve(ref);
      if (o != null) {
        String format = ImageFormat.detect(o.bytes(), o.bytes().length)
            .map(ImageFormat::mediaType).orElse(o.contentType());
        s.append("uploaded file '").append(o.fileName()).append("', ").append(format).append(", ")
            .append(o.bytes().length).append(" bytes, sha256 ").append(o.sha256(), 0, 12);
      } else if (ref.startsWith(artifacts)) {
        s.append("an image this simulator generated");
      } else {
        s.append("not fetched by the simulator");
      }
    }
    return s.toString();
  }

  /** Checks that the body is an object with no field outside {@code allowed}. */
  private static boolean object(JsonNode json, Set<String> allowed, List<Violation> problems) {
    if (json == null || !json.isObject()) {
      problems.add(new Violation("", "not_an_object", "request body must be a JSON object", List.of()));
      return false;
    }
    json.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        problems.add(new Violation(f, "unknown_parameter", "unknown parameter '" + f + "'",
            List.copyOf(allowed)));
      }
    });
    return true;
  }

  /** Reads {@code images}: one reference or an array, of strings (or, for read, {"url":..}). */
  private void references(JsonNode images, boolean urlObjects, List<String> out, List<Violation> problems) {
    if (images == null || images.isNull() || images.isArray() && images.isEmpty()) {
      problems.add(new Violation("images", "missing", "'images' must hold at least one image", List.of()));
      return;
    }
    List<JsonNode> items = new ArrayList<>();
    if (images.isArray()) {
      images.forEach(items::add);
    } else {
      items.add(images);
    }
    for (JsonNode item : items) {
      JsonNode v = urlObjects && item.isObject() ? item.get("url") : item;
      String why = v != null && v.isTextual() ? server.uploads.refusal(v.asText())
          : urlObjects ? "expected {\"url\": \"...\"}" : "it is not a string";
      if (why != null) {
        problems.add(new Violation("images", "bad_reference",
            "'images' holds " + item + ", which is not accepted: " + why, List.of()));
      } else {
        out.add(v.asText());
      }
    }
  }

  // ---- faults ----

  private void answerFault(Request r, Fault fault, String stage) {
    Call call = r.call();
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
          Instant at = server.config.clock().instant().plus(d);
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
        throw new IllegalStateException("not an image-operation fault: " + fault);
    }
    byte[] body = fault.usesFlatEnvelope()
        ? Envelopes.flat(e, r.requestId())
        : Envelopes.structured(e, r.traceId(), r.requestId(), stage);
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

  private void error(Request r, ApiError e) {
    r.call().json(e.status(), Envelopes.structured(e, r.traceId(), r.requestId(), "admission"));
  }
}

package ai.anycap.testkit.internal;

import ai.anycap.testkit.SchemaForm;
import ai.anycap.testkit.SimulatorCounters;
import ai.anycap.testkit.internal.Envelopes.ApiError;
import ai.anycap.testkit.internal.ModelCatalog.ModelSpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * The endpoints that describe: models and their schemas, {@code /v1/status}, and the simulator's
 * own {@code /_simulator/counters}.
 */
final class InfoEndpoints {

  static final String VERSION = ai.anycap.client.AnyCapClient.SDK_VERSION;

  private final SimulatorServer server;

  InfoEndpoints(SimulatorServer server) {
    this.server = server;
  }

  /**
   * {@code GET /_simulator/counters}: the counters as JSON, for processes that use a standalone
   * simulator. Not part of the AnyCap API, and not counted itself.
   */
  void countersJson(HttpExchange ex) {
    SimulatorCounters c = server.counters.snapshot();
    ObjectNode root = SimJson.object();
    ObjectNode requests = root.putObject("requests");
    c.requests().forEach((endpoint, byStatus) -> {
      ObjectNode n = requests.putObject(endpoint);
      byStatus.forEach((status, count) -> n.put(Integer.toString(status), count));
    });
    root.put("images_generated", c.imagesGenerated());
    root.put("edits", c.edits());
    root.put("upscales", c.upscales());
    root.put("reads", c.reads());
    root.put("credits_charged", c.creditsCharged());
    if (server.config.unlimitedCredits()) {
      root.putNull("credit_balance");
    } else {
      root.put("credit_balance", server.creditBalance());
    }
    root.put("presigns", c.presigns());
    root.put("reused_uploads", c.reusedUploads());
    root.put("uploads", c.uploads());
    root.put("upload_bytes", c.uploadBytes());
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

  void model(Call call, String id) {
    ModelSpec m = ModelCatalog.find(id).orElse(null);
    if (m == null) {
      notFoundModel(call, id);
      return;
    }
    ObjectNode root = SimJson.object();
    root.set("model", ModelCatalog.modelJson(m));
    call.json(200, SimJson.write(root));
  }

  void schema(Call call, String id, String rawQuery) {
    ModelSpec m = ModelCatalog.find(id).orElse(null);
    if (m == null) {
      notFoundModel(call, id);
      return;
    }
    String operation = SimulatorServer.queryParam(rawQuery, "operation");
    String mode = SimulatorServer.queryParam(rawQuery, "mode");
    ObjectNode body = ModelCatalog.schemaJson(m, operation, mode,
        server.config.schemaForm() == SchemaForm.JSON_SCHEMA);
    if (body.get("schemas").isEmpty()) {
      server.error(call, ApiError.of(400, "IMAGE_INVALID_REQUEST",
          "model " + id + " has no operation '" + operation + "'"
              + (mode == null ? "" : " in mode '" + mode + "'"),
          "operations: " + ModelCatalog.OPERATIONS, false), "schema");
      return;
    }
    call.json(200, SimJson.write(body));
  }

  private void notFoundModel(Call call, String id) {
    server.error(call, ApiError.of(404, "MODEL_NOT_FOUND", "unknown model '" + id + "'",
        "known models: " + ModelCatalog.ids(), false), "models");
  }

  /**
   * {@code {"status":"success","data":{"user":{..},"authenticated":..,"credits":{"balance":..},
   * "server":{"name","version",..}},"request_id":..}}, the shape the CLI was recorded accepting.
   */
  void status(Call call) {
    server.checkProtocol(call);
    boolean authenticated = server.keyMatches(call);
    ObjectNode root = SimJson.object();
    root.put("status", "success");
    ObjectNode data = root.putObject("data");
    if (authenticated) {
      ObjectNode user = data.putObject("user");
      user.put("id", "user_simulator");
      user.put("name", "AnyCap simulator");
      user.put("authenticated", true);
    }
    data.put("authenticated", authenticated);
    ObjectNode credits = data.putObject("credits");
    if (server.config.unlimitedCredits()) {
      credits.putNull("balance");
      credits.put("unlimited", true);
    } else {
      credits.put("balance", server.creditBalance());
      credits.put("unlimited", false);
    }
    ObjectNode s = data.putObject("server");
    s.put("name", "anycap-simulator");
    s.put("version", VERSION);
    s.put("simulated", true);
    s.put("time", server.config.clock().instant().toString());
    root.put("request_id", server.nextRequestId());
    call.json(200, SimJson.write(root));
  }
}

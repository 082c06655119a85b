package ai.anycap.testkit.internal;

import ai.anycap.testkit.FaultKind;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.internal.Envelopes.ApiError;
import ai.anycap.testkit.internal.UploadStore.Presigned;
import ai.anycap.testkit.internal.UploadStore.Session;
import ai.anycap.testkit.internal.UploadStore.StoredObject;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Local files, as the CLI uploads them: {@code POST /v1/capabilities/presign} (with the key)
 * answers an {@code upload_url} on this simulator and an {@code object_url}, or {@code reused:
 * true} for bytes it holds; {@code PUT /uploads/{session}?token=..} (no key) takes the raw bytes,
 * checks their length and SHA-256 against the presign and stores them; {@code GET
 * /objects/{file}} serves them back. Generate, edit, upscale and read accept the object URLs (and
 * {@code anycap://upload/{file}}) in {@code images}.
 */
final class UploadEndpoints {

  private final SimulatorServer server;

  UploadEndpoints(SimulatorServer server) {
    this.server = server;
  }

  void presign(Call call) {
    byte[] raw = SimulatorServer.body(call, SimulatorServer.MAX_BODY);
    Fault fault = server.faults.pick(FaultKind.Target.PRESIGN);
    if (fault != null) {
      call.fault(fault.kind().specName());
      ApiError e = presignFault(fault.status());
      String id = server.nextRequestId();
      call.json(e.status(), fault.usesFlatEnvelope()
          ? Envelopes.flat(e, id)
          : Envelopes.structured(e, call.header("X-Trace-Id"), id, "presign"),
          e.status() == 429 ? "1" : null);
      return;
    }
    server.checkProtocol(call);
    if (!server.authorized(call)) {
      return;
    }
    JsonNode body = readJson(raw);
    List<Map<String, Object>> problems = new ArrayList<>();
    String fileName = text(body, "filename");
    String contentType = text(body, "content_type");
    JsonNode length = body == null ? null : body.get("content_length");
    String sha = text(body, "sha256");
    if (body == null) {
      problems.add(problem("", "request body must be a JSON object"));
    } else {
      if (fileName == null || fileName.isBlank()) {
        problems.add(problem("filename", "'filename' is required"));
      }
      if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("image/")) {
        problems.add(problem("content_type", "'content_type' must be an image/* type, got " + contentType));
      }
      if (length == null || !length.canConvertToLong() || !length.isIntegralNumber() || length.asLong() <= 0) {
        problems.add(problem("content_length", "'content_length' must be a positive whole number"));
      }
      if (sha == null || !sha.matches("[0-9a-f]{64}")) {
        problems.add(problem("sha256", "'sha256' must be 64 lowercase hex digits"));
      }
    }
    if (!problems.isEmpty()) {
      server.error(call, ApiError.of(400, "UPLOAD_INVALID_REQUEST", problems.get(0).get("message")
          + (problems.size() > 1 ? "; and " + (problems.size() - 1) + " more" : ""), "", false)
          .withDetails(problems), "presign");
      return;
    }
    if (length.asLong() > server.config.maxUploadBytes()) {
      server.error(call, ApiError.of(413, "FILE_TOO_LARGE",
          fileName + " is " + length.asLong() + " bytes; uploads are limited to "
              + server.config.maxUploadBytes(), "send a smaller file", false)
          .withFlatCode("file_too_large"), "presign");
      return;
    }
    Presigned p = server.uploads.presign(fileName, contentType, length.asLong(), sha);
    ObjectNode root = SimJson.object();
    root.put("status", "success");
    ObjectNode data = root.putObject("data");
    if (p.reused() != null) {
      data.put("object_url", server.uploads.objectUrl(p.reused().fileId()));
      data.put("file_id", p.reused().fileId());
      data.put("reused", true);
    } else {
      data.put("upload_url", server.uploads.uploadUrl(p.session()));
      data.put("object_url", server.uploads.objectUrl(p.session().fileId()));
      data.put("upload_session_id", p.session().id());
      data.put("file_id", p.session().fileId());
      data.put("reused", false);
    }
    root.put("request_id", server.nextRequestId());
    server.counters.presigned(p.reused() != null);
    call.json(200, SimJson.write(root));
  }

  private static ApiError presignFault(int status) {
    switch (status) {
      case 413:
        return ApiError.of(413, "FILE_TOO_LARGE", "the file is too large (simulated)",
            "send a smaller file", false).withFlatCode("file_too_large");
      case 429:
        return ApiError.of(429, "RATE_LIMITED", "slow down (simulated)", "wait for Retry-After", true);
      default:
        return ApiError.of(status, status >= 500 ? "SERVER_ERROR" : "UPLOAD_INVALID_REQUEST",
            "simulated presign failure " + status, status >= 500 ? "retry later" : "", status >= 500);
    }
  }

  /**
   * {@code PUT /uploads/{session}?token=..}: the bytes of a presigned upload. Answers like object
   * storage: 200 with no body when stored; a short text and 400, 403 or 404 otherwise.
   */
  void put(Call call, String sessionId) {
    Session s = server.uploads.session(sessionId);
    long max = s == null ? SimulatorServer.MAX_BODY : s.length();
    byte[] bytes = SimulatorServer.body(call, max);
    if (bytes == null) {
      call.reset();
      return;
    }
    server.counters.uploadBytes(bytes.length);
    if (call.header("Authorization") != null) {
      server.counters.violation("Authorization header sent to an upload URL");
    }
    Fault fault = server.faults.pick(FaultKind.Target.UPLOAD);
    if (fault != null && fault.kind() == FaultKind.UPLOAD_STATUS) {
      call.fault(fault.kind().specName());
      call.send(fault.status(), "text/plain", SimulatorServer.bytes(fault.status() == 403
          ? "access denied: the upload URL expired (simulated)"
          : "upload failed with " + fault.status() + " (simulated)"), null);
      return;
    }
    String refusal = refusal(call, s, bytes);
    if (refusal != null) {
      int status = s == null ? 404 : refusal.startsWith("access denied") ? 403 : 400;
      call.send(status, "text/plain", SimulatorServer.bytes(refusal), null);
      return;
    }
    server.uploads.store(s, bytes);
    server.counters.uploaded();
    if (fault != null && fault.kind() == FaultKind.SLOW_UPLOAD) {
      call.fault(fault.kind().specName());
      server.later(fault.duration(), call, () -> call.send(200, "text/plain", new byte[0], null));
      return;
    }
    call.send(200, "text/plain", new byte[0], null);
  }

  private static String refusal(Call call, Session s, byte[] bytes) {
    if (s == null) {
      return "no such upload session";
    }
    String token = SimulatorServer.queryParam(call.exchange().getRequestURI().getRawQuery(), "token");
    if (token == null || !MessageDigest.isEqual(SimulatorServer.bytes(token), SimulatorServer.bytes(s.token()))) {
      return "access denied: the upload URL's token does not match";
    }
    if (call.header("Authorization") != null) {
      return "an upload URL is pre-signed: send no Authorization header";
    }
    String type = call.header("Content-Type");
    if (type == null || !type.equalsIgnoreCase(s.contentType())) {
      return "Content-Type '" + type + "' differs from the presigned '" + s.contentType() + "'";
    }
    if (bytes.length != s.length()) {
      return "length mismatch: the presign said " + s.length() + " bytes, "
          + (bytes.length > s.length() ? "more" : bytes.length) + " arrived";
    }
    String sha = UploadStore.sha256(bytes);
    if (!sha.equals(s.sha256())) {
      return "SHA-256 mismatch: the presign said " + s.sha256() + ", the bytes are " + sha;
    }
    return null;
  }

  /** {@code GET /objects/{file}}: an uploaded file, with no key needed. */
  void object(Call call, String fileId) {
    SimulatorServer.drain(call.exchange());
    StoredObject o = server.uploads.object(fileId);
    if (o == null) {
      call.send(404, "text/plain", SimulatorServer.bytes("no such object"), null);
      return;
    }
    call.send(200, o.contentType(), o.bytes(), null);
  }

  private static JsonNode readJson(byte[] raw) {
    if (raw == null || raw.length > SimulatorServer.MAX_BODY) {
      return null;
    }
    try {
      JsonNode n = SimJson.MAPPER.readTree(raw);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static Map<String, Object> problem(String field, String message) {
    return Map.of("field", field, "message", message);
  }
}

package ai.anycap.testkit.internal;

import ai.anycap.testkit.internal.ModelCatalog.Violation;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** The JSON bodies the simulator answers with, in the shapes of {@code anycap-api.md}. */
public final class Envelopes {

  private Envelopes() {}

  /** One error, before it is written in either envelope. */
  public record ApiError(
      int status,
      String code,
      String flatCode,
      String message,
      String hint,
      boolean retrySameRequest,
      List<Map<String, Object>> details) {

    public static ApiError of(int status, String code, String message, String hint, boolean retry) {
      return new ApiError(status, code, code.toLowerCase(java.util.Locale.ROOT), message, hint, retry, List.of());
    }

    public ApiError withDetails(List<Map<String, Object>> details) {
      return new ApiError(status, code, flatCode, message, hint, retrySameRequest, details);
    }

    public ApiError withFlatCode(String flat) {
      return new ApiError(status, code, flat, message, hint, retrySameRequest, details);
    }
  }

  /**
   * {@code {"error":{"code","message","hint","details","retry_same_request"},
   * "diagnostics":{"trace_id","request_id","task_id","upstream_request_id","stage"}}}
   */
  public static byte[] structured(ApiError e, String traceId, String requestId, String stage) {
    ObjectNode root = SimJson.object();
    ObjectNode err = root.putObject("error");
    err.put("code", e.code());
    err.put("message", e.message());
    err.put("hint", e.hint());
    err.set("details", SimJson.MAPPER.valueToTree(e.details()));
    err.put("retry_same_request", e.retrySameRequest());
    ObjectNode d = root.putObject("diagnostics");
    d.put("trace_id", traceId == null ? "" : traceId);
    d.put("request_id", requestId);
    d.put("task_id", "");
    d.put("upstream_request_id", "");
    d.put("stage", stage);
    return SimJson.write(root);
  }

  /** {@code {"error":"code","message","hint","request_id"}}, with {@code retry_same_request} when false. */
  public static byte[] flat(ApiError e, String requestId) {
    ObjectNode root = SimJson.object();
    root.put("error", e.flatCode());
    root.put("message", e.message());
    root.put("hint", e.hint());
    root.put("request_id", requestId);
    if (!e.retrySameRequest()) {
      root.put("retry_same_request", false);
    }
    return SimJson.write(root);
  }

  /**
   * {@code {"status":"success","data":{"model","credit_cost","outputs":[{"url"}]},"request_id"}},
   * written by hand: it is the one body on the hot path.
   */
  public static byte[] success(String model, long creditCost, String url, String requestId) {
    StringBuilder s = new StringBuilder(160 + url.length());
    s.append("{\"status\":\"success\",\"data\":{\"model\":");
    SimJson.quote(model, s);
    s.append(",\"credit_cost\":").append(creditCost).append(",\"outputs\":[{\"url\":");
    SimJson.quote(url, s);
    s.append("}]},\"request_id\":");
    SimJson.quote(requestId, s);
    s.append('}');
    return s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code {"status":"success","data":{"content","credit_cost"},"request_id"}}: an image read. */
  public static byte[] reading(String content, long creditCost, String requestId) {
    ObjectNode root = SimJson.object();
    root.put("status", "success");
    ObjectNode data = root.putObject("data");
    data.put("content", content);
    data.put("credit_cost", creditCost);
    root.put("request_id", requestId);
    return SimJson.write(root);
  }

  public static List<Map<String, Object>> details(List<Violation> violations) {
    return violations.stream()
        .map(v -> {
          Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("field", v.field());
          m.put("reason", v.reason());
          m.put("message", v.message());
          if (!v.allowed().isEmpty()) {
            m.put("allowed", v.allowed());
          }
          return m;
        })
        .toList();
  }
}

package ai.anycap.client.internal;

import ai.anycap.client.AnyCapServiceException.ErrorDetails;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageReading;
import ai.anycap.client.Mode;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.ModelSchema;
import ai.anycap.client.ParameterSpec;
import ai.anycap.client.ServiceStatus;
import ai.anycap.client.UnexpectedResponseException;
import ai.anycap.client.internal.ApiTransport.ApiResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads successful responses into the public value types. Tolerant of fields it does not know;
 * strict only about what the protocol requires (an image URL, say), and then with an error that
 * says what was missing.
 */
public final class Responses {

  private Responses() {}

  public static ImageGeneration generation(ApiResponse r, String context, String requestedModel) {
    JsonNode root = r.body();
    String status = Json.text(root, "status");
    JsonNode data = root.get("data");
    if (data == null || !data.isObject()) {
      if (root.has("error")) {
        throw ErrorResponses.forStatus(
            ErrorResponses.parse(r.status(), Json.write(root), null, context, r.traceId()));
      }
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no 'data' object"
          + (status == null ? "" : " (status '" + status + "')"));
    }
    List<URI> outputs = new ArrayList<>();
    JsonNode outs = data.get("outputs");
    if (outs != null && outs.isArray()) {
      for (JsonNode o : outs) {
        String url = o.isTextual() ? o.asText() : Json.text(o, "url");
        if (url == null) {
          throw malformed(r.status(), context, r.traceId(), r.requestId(), "an output has no 'url'");
        }
        try {
          outputs.add(URI.create(url));
        } catch (IllegalArgumentException e) {
          throw malformed(r.status(), context, r.traceId(), r.requestId(), "output url is not a URI");
        }
      }
    }
    String model = Json.text(data, "model");
    return new ImageGeneration(
        model == null ? requestedModel : model, credits(data), outputs, r.requestId(), r.traceId());
  }

  public static List<ModelInfo> models(ApiResponse r, String context) {
    JsonNode list = r.body().get("models");
    if (list == null) {
      JsonNode data = r.body().get("data");
      list = data != null && data.isArray() ? data : data != null ? data.get("models") : null;
    }
    if (list == null || !list.isArray()) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no 'models' array");
    }
    List<ModelInfo> out = new ArrayList<>();
    for (JsonNode m : list) {
      ModelInfo info = modelInfo(m);
      if (info != null) {
        out.add(info);
      }
    }
    return out;
  }

  public static ModelInfo model(ApiResponse r, String context) {
    JsonNode m = r.body().get("model");
    if (m == null) {
      JsonNode data = r.body().get("data");
      m = data != null && data.has("model") && data.get("model").isObject() ? data.get("model") : data;
    }
    ModelInfo info = modelInfo(m);
    if (info == null) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no 'model' object with an id");
    }
    return info;
  }

  private static ModelInfo modelInfo(JsonNode m) {
    if (m == null) {
      return null;
    }
    if (m.isTextual()) {
      return new ModelInfo(m.asText(), List.of(), Map.of());
    }
    String id = firstText(m, "model", "id", "name");
    if (id == null) {
      return null;
    }
    List<ModelInfo.Operation> ops = new ArrayList<>();
    JsonNode operations = m.get("operations");
    if (operations != null && operations.isArray()) {
      for (JsonNode op : operations) {
        String name = op.isTextual() ? op.asText() : firstText(op, "operation", "name");
        if (name == null) {
          continue;
        }
        List<Mode> modes = new ArrayList<>();
        JsonNode ms = op.get("modes");
        if (ms != null && ms.isArray()) {
          for (JsonNode mode : ms) {
            String v = mode.isTextual() ? mode.asText() : firstText(mode, "mode", "name");
            if (v != null) {
              modes.add(Mode.of(v));
            }
          }
        }
        ops.add(new ModelInfo.Operation(name, modes));
      }
    }
    Map<String, Object> attributes = new LinkedHashMap<>(Json.toMap(m));
    attributes.remove("operations");
    return new ModelInfo(id, ops, attributes);
  }

  public static ModelSchema schema(
      ApiResponse r, String context, String model, String operation, Mode mode) {
    JsonNode schemas = r.body().get("schemas");
    if (schemas == null && r.body().get("data") != null) {
      schemas = r.body().get("data").get("schemas");
    }
    if (schemas == null || !schemas.isArray() || schemas.isEmpty()) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no 'schemas' array");
    }
    JsonNode chosen = null;
    for (JsonNode s : schemas) {
      boolean opOk = operation.equals(Json.text(s, "operation")) || Json.text(s, "operation") == null;
      String m = Json.text(s, "mode");
      boolean modeOk = mode == null || m == null || mode.value().equals(m);
      if (opOk && modeOk) {
        chosen = s;
        break;
      }
    }
    if (chosen == null) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(),
          "no schema for operation '" + operation + "' mode '" + mode + "'");
    }
    String chosenMode = Json.text(chosen, "mode");
    Map<String, ParameterSpec> specs = SchemaParams.parse(chosen.path("schema").path("model_params"));
    return new ModelSchema(
        model,
        operation,
        chosenMode != null ? Mode.of(chosenMode) : mode != null ? mode : Mode.TEXT_TO_IMAGE,
        specs);
  }

  /**
   * @param redact keeps the key out of the raw JSON, should a server echo it
   */
  public static ServiceStatus status(ApiResponse r, java.util.function.UnaryOperator<String> redact) {
    Map<String, Object> fields = new LinkedHashMap<>(Json.toMap(r.body()));
    JsonNode data = r.body().get("data");
    if (data != null && data.isObject()) {
      Json.toMap(data).forEach(fields::putIfAbsent);
    }
    return new ServiceStatus(fields, redact.apply(new String(Json.write(r.body()), java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** {@code {"data":{"content":"..","credit_cost":1}}} of an image read. */
  public static ImageReading reading(ApiResponse r, String context) {
    JsonNode data = r.body().get("data");
    String content = data == null ? null : Json.text(data, "content");
    if (content == null && data != null && data.get("content") != null && data.get("content").isTextual()) {
      content = "";
    }
    if (content == null) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no 'data.content' text");
    }
    return new ImageReading(content, credits(data), r.requestId(), r.traceId());
  }

  /** What a presign answer says; {@code uploadUrl} is null when the server already has the file. */
  public record Presigned(URI uploadUrl, URI objectUrl, boolean reused) {}

  /**
   * {@code {"data":{"upload_url","object_url","upload_session_id","file_id","reused"}}}: {@code
   * object_url} is required, {@code upload_url} too unless {@code reused} is true.
   */
  public static Presigned presign(ApiResponse r, String context) {
    JsonNode data = r.body().get("data");
    if (data == null || !data.isObject()) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no 'data' object");
    }
    URI objectUrl = uri(Json.text(data, "object_url"));
    if (objectUrl == null || !objectUrl.isAbsolute()) {
      throw malformed(r.status(), context, r.traceId(), r.requestId(), "no absolute 'data.object_url'");
    }
    boolean reused = Boolean.TRUE.equals(Json.bool(data, "reused"));
    URI uploadUrl = uri(Json.text(data, "upload_url"));
    if (!reused) {
      String scheme = uploadUrl == null || uploadUrl.getScheme() == null ? "" : uploadUrl.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uploadUrl.getHost() == null) {
        throw malformed(r.status(), context, r.traceId(), r.requestId(),
            "no http(s) 'data.upload_url' and 'reused' is not true");
      }
    }
    return new Presigned(reused ? null : uploadUrl, objectUrl, reused);
  }

  private static URI uri(String s) {
    if (s == null) {
      return null;
    }
    try {
      return new URI(s);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static BigDecimal credits(JsonNode data) {
    JsonNode cost = data == null ? null : data.get("credit_cost");
    return cost != null && cost.isNumber() ? cost.decimalValue() : BigDecimal.ZERO;
  }

  static UnexpectedResponseException malformed(
      int status, String context, String traceId, String requestId, String what) {
    return new UnexpectedResponseException(
        ErrorDetails.builder(status)
            .errorCode("UNEXPECTED_RESPONSE")
            .message("unreadable response: " + what)
            .context(context)
            .traceId(traceId)
            .requestId(requestId)
            .build());
  }

  private static String firstText(JsonNode n, String... fields) {
    for (String f : fields) {
      String v = Json.text(n, f);
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}

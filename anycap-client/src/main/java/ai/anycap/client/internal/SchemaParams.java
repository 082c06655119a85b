package ai.anycap.client.internal;

import ai.anycap.client.ParameterSpec;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a schema's {@code model_params} in either form the API uses: a flat map of name to spec
 * ({@code {"prompt":{"type":"string","required":true}}}), or a JSON-schema object ({@code
 * {"type":"object","properties":{..},"required":[..]}}). Items of arrays lend their {@code enum}
 * and {@code format} ({@code file-or-url}) to the parameter.
 */
final class SchemaParams {

  private SchemaParams() {}

  static Map<String, ParameterSpec> parse(JsonNode params) {
    Map<String, ParameterSpec> specs = new LinkedHashMap<>();
    if (params == null || !params.isObject()) {
      return specs;
    }
    if (isJsonSchema(params)) {
      Set<String> required = new HashSet<>();
      params.path("required").forEach(n -> required.add(n.asText()));
      params.path("properties").fields().forEachRemaining(e -> {
        if (e.getValue().isObject()) {
          specs.put(e.getKey(), parameter(e.getKey(), e.getValue(), required.contains(e.getKey())));
        }
      });
    } else {
      params.fields().forEachRemaining(e -> {
        if (e.getValue().isObject()) {
          specs.put(e.getKey(), parameter(e.getKey(), e.getValue(), false));
        }
      });
    }
    return specs;
  }

  /**
   * A JSON-schema object has {@code properties} holding specs and a {@code type} of {@code
   * object} or none; a flat map could only look like one with parameters named {@code type} and
   * {@code properties}, and then {@code type} would be a spec, not a string.
   */
  private static boolean isJsonSchema(JsonNode params) {
    JsonNode type = params.get("type");
    JsonNode properties = params.get("properties");
    if (properties == null || !properties.isObject()) {
      return false;
    }
    if (type != null && type.isTextual()) {
      return type.asText().equals("object");
    }
    return type == null && !properties.path("type").isTextual();
  }

  private static ParameterSpec parameter(String name, JsonNode p, boolean requiredByParent) {
    JsonNode items = p.path("items");
    List<String> values = new ArrayList<>();
    JsonNode e = p.has("enum") ? p.get("enum") : items.get("enum");
    if (e != null && e.isArray()) {
      e.forEach(v -> values.add(v.asText()));
    }
    String type = typeOf(p.get("type"));
    String description = Json.text(p, "description");
    String format = Json.text(p, "format");
    if (format == null) {
      format = Json.text(items, "format");
    }
    return new ParameterSpec(
        name,
        type,
        requiredByParent || Boolean.TRUE.equals(Json.bool(p, "required")),
        values,
        description == null ? "" : description,
        format == null ? "" : format);
  }

  /** {@code "string"}, or the first non-null of {@code ["string","null"]}. */
  private static String typeOf(JsonNode t) {
    if (t == null) {
      return "";
    }
    if (t.isArray()) {
      for (JsonNode v : t) {
        if (v.isTextual() && !v.asText().equals("null")) {
          return v.asText();
        }
      }
      return "";
    }
    return t.isTextual() ? t.asText() : "";
  }
}

package ai.anycap.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one Jackson mapper the SDK uses, and tolerant readers for loosely specified responses. */
public final class Json {

  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private Json() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /** A text field, or null when absent, null or not a scalar. */
  public static String text(JsonNode node, String field) {
    if (node == null) {
      return null;
    }
    JsonNode v = node.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      return null;
    }
    String s = v.asText();
    return s.isEmpty() ? null : s;
  }

  /** A boolean field, or null when absent or not a boolean. */
  public static Boolean bool(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isBoolean() ? v.booleanValue() : null;
  }

  /** An object's fields as plain Java values (maps, lists, strings, numbers, booleans). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> toMap(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isNull()) {
                out.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class));
              }
            });
    return out;
  }

  /** An array of objects as plain Java maps; an object is taken as a one-element list. */
  public static List<Map<String, Object>> toListOfMaps(JsonNode node) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      for (JsonNode item : node) {
        if (item.isObject()) {
          out.add(toMap(item));
        } else if (!item.isNull()) {
          out.add(Map.of("value", MAPPER.convertValue(item, Object.class)));
        }
      }
    } else if (node.isObject()) {
      out.add(toMap(node));
    }
    return out;
  }
}

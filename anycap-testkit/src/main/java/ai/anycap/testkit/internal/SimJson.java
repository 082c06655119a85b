package ai.anycap.testkit.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The simulator's Jackson mapper, and the canonical form of a request body by which generations
 * are counted: the same body always gives the same string, whatever the order of its fields.
 */
public final class SimJson {

  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private SimJson() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** The request body of a generate call, in a canonical form: fields sorted, no whitespace. */
  public static String fingerprint(JsonNode body) {
    StringBuilder out = new StringBuilder(128);
    canonical(body, out);
    return out.toString();
  }

  /** The fingerprint of a body given as plain Java values, such as {@code ImageRequest.toBody()}. */
  public static String fingerprint(Map<String, Object> body) {
    JsonNode tree = MAPPER.valueToTree(body);
    return fingerprint(tree);
  }

  private static void canonical(JsonNode n, StringBuilder out) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>(n.size());
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      names.sort(null);
      out.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        quote(names.get(i), out);
        out.append(':');
        canonical(n.get(names.get(i)), out);
      }
      out.append('}');
    } else if (n.isArray()) {
      out.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        canonical(n.get(i), out);
      }
      out.append(']');
    } else if (n.isTextual()) {
      quote(n.textValue(), out);
    } else {
      out.append(n.asText());
    }
  }

  /** Appends {@code s} as a JSON string; cheaper than a generator for the short values here. */
  public static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }
}

package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.Mode;
import ai.anycap.pipeline.ImageJob;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of an {@link ImageJob}, the same as one line of a JSON Lines job file: {@code
 * {"id","operation","template","values","prompt","model","mode","params","references","output"}}; {@code
 * operation} only when it is not {@code generate}. Used to put
 * jobs on queues.
 */
public final class ImageJobJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> KEYS =
      Set.of("id", "operation", "template", "values", "prompt", "model", "mode", "params", "references", "output");

  private ImageJobJson() {}

  public static String write(ImageJob job) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", job.id());
    if (job.operation() != ImageOperation.GENERATE) {
      o.put("operation", job.operation().value());
    }
    if (job.template() != null) {
      o.put("template", job.template());
    }
    if (job.prompt() != null) {
      o.put("prompt", job.prompt());
    }
    if (!job.values().isEmpty()) {
      ObjectNode v = o.putObject("values");
      job.values().forEach(v::put);
    }
    if (job.model() != null) {
      o.put("model", job.model());
    }
    if (job.mode() != null) {
      o.put("mode", job.mode().value());
    }
    if (!job.params().isEmpty()) {
      o.set("params", MAPPER.valueToTree(job.params()));
    }
    if (!job.references().isEmpty()) {
      job.references().forEach(o.putArray("references")::add);
    }
    o.put("output", job.outputKey());
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws IllegalArgumentException naming the key when the JSON is not a valid job
   */
  public static ImageJob read(String json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("job is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("job JSON must be an object");
    }
    n.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown key '" + k + "' in job JSON; allowed: " + KEYS);
      }
    });
    ImageJob.Builder b = ImageJob.builder();
    if (!n.path("output").isTextual()) {
      throw new IllegalArgumentException("job JSON needs an 'output' string");
    }
    b.outputKey(n.get("output").asText());
    if (n.path("id").isTextual()) {
      b.id(n.get("id").asText());
    }
    if (n.path("operation").isTextual()) {
      b.operation(ImageOperation.of(n.get("operation").asText()));
    }
    if (n.path("template").isTextual()) {
      b.template(n.get("template").asText());
    }
    if (n.path("prompt").isTextual()) {
      b.prompt(n.get("prompt").asText());
    }
    n.path("values").fields().forEachRemaining(e -> b.value(e.getKey(), e.getValue().asText()));
    if (n.path("model").isTextual()) {
      b.model(n.get("model").asText());
    }
    if (n.path("mode").isTextual()) {
      b.mode(Mode.of(n.get("mode").asText()));
    }
    if (n.path("params").isObject()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> params = MAPPER.convertValue(n.get("params"), Map.class);
      b.params(params);
    }
    n.path("references").forEach(r -> b.reference(r.asText()));
    return b.build();
  }
}

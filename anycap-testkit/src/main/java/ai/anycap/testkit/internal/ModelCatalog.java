package ai.anycap.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The image models the simulator offers, with the schemas it publishes and validates generate
 * bodies against. Shapes follow {@code anycap-api.md}; the parameter values are the simulator's
 * own, close to the public models but not read off the real service.
 */
public final class ModelCatalog {

  public static final String TEXT_TO_IMAGE = "text-to-image";
  public static final String IMAGE_TO_IMAGE = "image-to-image";
  public static final String GENERATE = "generate";
  public static final String EDIT = "edit";
  /** The operations and their modes, in publishing order. */
  public static final Map<String, List<String>> OPERATIONS =
      Map.of(GENERATE, List.of(TEXT_TO_IMAGE, IMAGE_TO_IMAGE), EDIT, List.of(IMAGE_TO_IMAGE));
  private static final List<String> OPERATION_ORDER = List.of(GENERATE, EDIT);
  public static final String FILE_OR_URL = "file-or-url";
  public static final List<String> ASPECT_RATIOS = List.of("1:1", "16:9", "9:16", "4:3", "3:4");

  /** One parameter of a schema; {@code format} is the items' format for an array. */
  public record Param(
      String name, String type, boolean required, List<String> enumValues, String description,
      String format) {}

  /** One image model. */
  public record ModelSpec(
      String id, String displayName, String description, long creditCost, List<String> resolutions) {

    /** The parameters of generate in this mode, or of edit, in publishing order. */
    public Map<String, Param> params(String mode) {
      return IMAGE_TO_IMAGE.equals(mode) ? paramsOf(IMAGE_TO_IMAGE) : paramsOf(TEXT_TO_IMAGE);
    }

    private Map<String, Param> paramsOf(String mode) {
      Map<String, Param> cached = PARAMS.get(id + " " + mode);
      if (cached != null) {
        return cached;
      }
      Map<String, Param> p = new LinkedHashMap<>();
      p.put("prompt", new Param("prompt", "string", true, List.of(), "what to draw", ""));
      if (IMAGE_TO_IMAGE.equals(mode)) {
        p.put("images", new Param("images", "array", true, List.of(),
            "reference images: URLs, anycap://upload/ references or uploaded files' object_url",
            FILE_OR_URL));
      }
      p.put("aspect_ratio", new Param("aspect_ratio", "string", false, ASPECT_RATIOS,
          "width to height; default 1:1", ""));
      p.put("resolution", new Param("resolution", "string", false, resolutions,
          "output resolution; default " + resolutions.get(0), ""));
      Map<String, Param> fixed = java.util.Collections.unmodifiableMap(p);
      PARAMS.put(id + " " + mode, fixed);
      return fixed;
    }

    public List<String> modes() {
      return List.of(TEXT_TO_IMAGE, IMAGE_TO_IMAGE);
    }
  }

  /** A problem with a generate body, as it goes into the error envelope's details. */
  public record Violation(String field, String reason, String message, List<String> allowed) {}

  private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();
  private static final Map<String, Map<String, Param>> PARAMS = new java.util.concurrent.ConcurrentHashMap<>();

  static {
    add(new ModelSpec("nano-banana-2", "Nano Banana 2",
        "bulk generation, variants and prototyping: fastest, cheapest", 1, List.of("1k", "2k", "4k")));
    add(new ModelSpec("nano-banana-pro", "Nano Banana Pro",
        "revisions and refinements: best image-to-image editing", 1, List.of("1k", "2k", "4k")));
    add(new ModelSpec("seedream-5", "Seedream 5",
        "hero images and final output: best first-pass quality", 1, List.of("2k", "4k")));
  }

  private static void add(ModelSpec m) {
    MODELS.put(m.id(), m);
  }

  private ModelCatalog() {}

  public static Optional<ModelSpec> find(String id) {
    return Optional.ofNullable(id == null ? null : MODELS.get(id));
  }

  public static List<String> ids() {
    return List.copyOf(MODELS.keySet());
  }

  /** {@code {"models":[...]}} */
  public static ObjectNode listJson() {
    ObjectNode root = SimJson.object();
    ArrayNode arr = root.putArray("models");
    MODELS.values().forEach(m -> arr.add(modelJson(m)));
    return root;
  }

  /** The description of one model, as listed and as {@code {"model":{...}}} wraps it. */
  public static ObjectNode modelJson(ModelSpec m) {
    ObjectNode n = SimJson.object();
    n.put("model", m.id());
    n.put("name", m.displayName());
    n.put("description", m.description());
    n.put("type", "image");
    n.put("credit_cost", m.creditCost());
    ArrayNode ops = n.putArray("operations");
    for (String operation : OPERATION_ORDER) {
      ObjectNode op = ops.addObject();
      op.put("operation", operation);
      ArrayNode modes = op.putArray("modes");
      OPERATIONS.get(operation).forEach(mode -> modes.addObject().put("mode", mode));
    }
    return n;
  }

  /**
   * {@code {"schemas":[{"operation":..,"mode":..,"schema":{"model_params":{..}}}]}} for the given
   * operation (null: all) and mode (null: all of the operation's modes), with {@code
   * model_params} in the flat form (name to spec) or as a JSON-schema object. Empty when none
   * match.
   */
  public static ObjectNode schemaJson(ModelSpec m, String operation, String mode, boolean jsonSchema) {
    ObjectNode root = SimJson.object();
    ArrayNode arr = root.putArray("schemas");
    for (String op : OPERATION_ORDER) {
      if (operation != null && !operation.equals(op)) {
        continue;
      }
      for (String md : OPERATIONS.get(op)) {
        if (mode != null && !mode.equals(md)) {
          continue;
        }
        ObjectNode s = arr.addObject();
        s.put("operation", op);
        s.put("mode", md);
        Map<String, Param> params = m.params(md);
        ObjectNode modelParams = s.putObject("schema").putObject("model_params");
        if (jsonSchema) {
          modelParams.put("type", "object");
          ObjectNode properties = modelParams.putObject("properties");
          params.values().forEach(p -> spec(properties.putObject(p.name()), p, false));
          ArrayNode required = modelParams.putArray("required");
          params.values().stream().filter(Param::required).forEach(p -> required.add(p.name()));
        } else {
          params.values().forEach(p -> spec(modelParams.putObject(p.name()), p, true));
        }
      }
    }
    return root;
  }

  private static void spec(ObjectNode pn, Param p, boolean flat) {
    pn.put("type", p.type());
    if (flat) {
      pn.put("required", p.required());
    }
    if (!p.enumValues().isEmpty()) {
      ArrayNode e = pn.putArray("enum");
      p.enumValues().forEach(e::add);
    }
    if (p.type().equals("array")) {
      ObjectNode items = pn.putObject("items");
      items.put("type", "string");
      if (!p.format().isEmpty()) {
        items.put("format", p.format());
      }
    } else if (!p.format().isEmpty()) {
      pn.put("format", p.format());
    }
    pn.put("description", p.description());
  }

  /** A generate body that passed validation, reduced to what the renderer and billing need. */
  public record ValidRequest(
      ModelSpec model, String mode, String prompt, String aspectRatio, String resolution, int references) {}

  /** The result of validating a generate body: either a request or its violations. */
  public record Validation(ValidRequest request, List<Violation> violations) {
    public boolean ok() {
      return request != null;
    }
  }

  /**
   * Checks a generate or edit body against the model's schema for its operation and mode,
   * finding every problem. {@code refusal} says why a reference image is not accepted, or null.
   */
  public static Validation validate(JsonNode body, String operation, Function<String, String> refusal) {
    List<Violation> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      problems.add(new Violation("", "not_an_object", "request body must be a JSON object", List.of()));
      return new Validation(null, problems);
    }
    JsonNode modelNode = body.get("model");
    if (modelNode == null || !modelNode.isTextual() || modelNode.asText().isBlank()) {
      problems.add(new Violation("model", "missing", "'model' is required", ids()));
      return new Validation(null, problems);
    }
    ModelSpec model = MODELS.get(modelNode.asText());
    if (model == null) {
      problems.add(new Violation("model", "unknown_model",
          "unknown model '" + modelNode.asText() + "'", ids()));
      return new Validation(null, problems);
    }
    List<String> modes = OPERATIONS.get(operation);
    String mode = modes.get(0);
    JsonNode modeNode = body.get("mode");
    if (modeNode != null && !modeNode.isNull()) {
      if (!modeNode.isTextual() || !modes.contains(modeNode.asText())) {
        problems.add(new Violation("mode", "unsupported_mode",
            "model " + model.id() + " has no mode '" + modeNode.asText() + "' for " + operation, modes));
        return new Validation(null, problems);
      }
      mode = modeNode.asText();
    }
    Map<String, Param> params = model.params(mode);
    for (Map.Entry<String, JsonNode> e : body.properties()) {
      String name = e.getKey();
      if (name.equals("model") || name.equals("mode")) {
        continue;
      }
      Param p = params.get(name);
      if (p == null) {
        problems.add(new Violation(name, "unknown_parameter",
            "unknown parameter '" + name + "' for " + model.id() + " " + mode,
            List.copyOf(params.keySet())));
      } else {
        checkValue(p, e.getValue(), problems, refusal);
      }
    }
    for (Param p : params.values()) {
      if (p.required() && !body.has(p.name())) {
        problems.add(new Violation(p.name(), "missing",
            "missing required parameter '" + p.name() + "' for " + model.id() + " " + mode, List.of()));
      }
    }
    if (!problems.isEmpty()) {
      return new Validation(null, problems);
    }
    JsonNode images = body.get("images");
    int refs = images == null ? 0 : images.isArray() ? images.size() : 1;
    return new Validation(
        new ValidRequest(
            model,
            mode,
            body.get("prompt").asText(),
            text(body, "aspect_ratio", "1:1"),
            text(body, "resolution", model.resolutions().get(0)),
            refs),
        List.of());
  }

  private static void checkValue(
      Param p, JsonNode v, List<Violation> problems, Function<String, String> refusal) {
    switch (p.type()) {
      case "string":
        if (!v.isTextual()) {
          problems.add(new Violation(p.name(), "wrong_type",
              "parameter '" + p.name() + "' must be a string", List.of()));
          return;
        }
        if (p.name().equals("prompt") && v.asText().isBlank()) {
          problems.add(new Violation(p.name(), "blank", "'prompt' must not be blank", List.of()));
          return;
        }
        if (!p.enumValues().isEmpty() && !p.enumValues().contains(v.asText())) {
          problems.add(new Violation(p.name(), "not_in_enum",
              "parameter '" + p.name() + "' is '" + v.asText() + "'; allowed: " + p.enumValues(),
              p.enumValues()));
        }
        return;
      case "array": {
        List<JsonNode> items = new ArrayList<>();
        if (v.isArray()) {
          v.forEach(items::add);
        } else {
          items.add(v);
        }
        if (items.isEmpty()) {
          problems.add(new Violation(p.name(), "empty", "'" + p.name() + "' must not be empty", List.of()));
        }
        for (JsonNode item : items) {
          String why = item.isTextual() ? refusal.apply(item.asText()) : "it is not a string";
          if (why != null) {
            problems.add(new Violation(p.name(), "bad_reference",
                "'" + p.name() + "' holds " + item + ", which is not accepted: " + why, List.of()));
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private static String text(JsonNode body, String field, String fallback) {
    JsonNode n = body.get(field);
    return n == null || !n.isTextual() ? fallback : n.asText();
  }
}

package ai.anycap.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parameters a model accepts for one operation and mode, from {@code
 * /v1/image/models/{model}/schema}. {@link #check(ImageRequest)} finds every problem with a
 * request before it is sent (and paid for).
 *
 * <pre>{@code
 * ModelSchema schema = client.images().schema("nano-banana-2", "generate", Mode.TEXT_TO_IMAGE);
 * List<SchemaViolation> problems = schema.check(request);
 * }</pre>
 *
 * @param model the model id
 * @param operation the operation, such as {@code generate}
 * @param mode the mode the schema is for
 * @param parameters the parameters by name, in the server's order
 */
public record ModelSchema(
    String model, String operation, Mode mode, Map<String, ParameterSpec> parameters) {

  /**
   * Copies the parameters, keeping their order, so the schema cannot change.
   *
   * @param model the model id
   * @param operation the operation
   * @param mode the mode
   * @param parameters the parameters by name
   */
  public ModelSchema {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(mode, "mode");
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
  }

  /**
   * One parameter's specification.
   *
   * @param name the parameter's name, such as {@code aspect_ratio}
   * @return its specification, or empty when the schema does not list it
   */
  public Optional<ParameterSpec> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  /**
   * Every way the request breaks this schema: parameters the schema does not know, required ones
   * missing, values outside an enum, values of the wrong type. Empty when the request fits.
   * {@code prompt} and the reference images ({@code images}) count as parameters, as on the wire.
   * Sends nothing.
   *
   * @param request the request to check
   * @return every violation, unknown parameters first; empty when the request fits
   */
  public List<SchemaViolation> check(ImageRequest request) {
    Objects.requireNonNull(request, "request");
    Map<String, Object> sent = new java.util.LinkedHashMap<>(request.toBody());
    sent.remove("model");
    sent.remove("mode");
    List<SchemaViolation> problems = new ArrayList<>();
    for (Map.Entry<String, Object> e : sent.entrySet()) {
      ParameterSpec spec = parameters.get(e.getKey());
      if (spec == null) {
        problems.add(
            new SchemaViolation(
                e.getKey(),
                SchemaViolation.Kind.UNKNOWN_PARAMETER,
                "unknown parameter '"
                    + e.getKey()
                    + "' for "
                    + model
                    + " "
                    + mode
                    + "; known: "
                    + parameters.keySet()));
        continue;
      }
      checkValue(spec, e.getValue(), problems);
    }
    for (ParameterSpec spec : parameters.values()) {
      if (spec.required() && !sent.containsKey(spec.name())) {
        problems.add(
            new SchemaViolation(
                spec.name(),
                SchemaViolation.Kind.MISSING_REQUIRED,
                "missing required parameter '" + spec.name() + "' for " + model + " " + mode));
      }
    }
    return List.copyOf(problems);
  }

  private void checkValue(ParameterSpec spec, Object value, List<SchemaViolation> problems) {
    if (!typeMatches(spec.type(), value)) {
      problems.add(
          new SchemaViolation(
              spec.name(),
              SchemaViolation.Kind.WRONG_TYPE,
              "parameter '"
                  + spec.name()
                  + "' must be of type "
                  + spec.type()
                  + ", got "
                  + describe(value)));
      return;
    }
    if (!spec.enumValues().isEmpty()) {
      Collection<?> values = value instanceof List<?> list ? list : List.of(value);
      for (Object v : values) {
        if (!spec.enumValues().contains(String.valueOf(v))) {
          problems.add(
              new SchemaViolation(
                  spec.name(),
                  SchemaViolation.Kind.NOT_IN_ENUM,
                  "parameter '"
                      + spec.name()
                      + "' is '"
                      + v
                      + "'; allowed: "
                      + spec.enumValues()));
        }
      }
    }
  }

  private static boolean typeMatches(String type, Object value) {
    switch (type) {
      case "string":
        return value instanceof String;
      case "integer":
        return value instanceof Integer
            || value instanceof Long
            || value instanceof Short
            || value instanceof java.math.BigInteger;
      case "number":
        return value instanceof Number;
      case "boolean":
        return value instanceof Boolean;
      default:
        // "array" accepts one value too (images: "url"); unknown types are the server's to judge.
        return true;
    }
  }

  private static String describe(Object value) {
    return value instanceof String
        ? "'" + value + "' (string)"
        : value + " (" + value.getClass().getSimpleName() + ")";
  }
}

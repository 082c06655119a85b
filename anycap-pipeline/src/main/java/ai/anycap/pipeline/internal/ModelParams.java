package ai.anycap.pipeline.internal;

import java.util.List;
import java.util.Set;

/**
 * The rule {@code ImageRequest} applies to model parameters, checked where a job is read so that a
 * bad parameter is reported at its line rather than when the job runs.
 */
public final class ModelParams {

  private static final Set<String> RESERVED = Set.of("model", "prompt", "mode", "images");

  private ModelParams() {}

  /** What is wrong with this parameter, or null when nothing is. */
  public static String problem(String name, Object value) {
    if (name.isBlank()) {
      return "parameter name must not be blank";
    }
    if (RESERVED.contains(name)) {
      return "'" + name + "' is not a model parameter; it has its own field";
    }
    if (value == null) {
      return "parameter '" + name + "' is null";
    }
    if (isScalar(value)) {
      return null;
    }
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (!isScalar(item)) {
          return "parameter '"
              + name
              + "' holds a list item that is not a string, number or boolean";
        }
      }
      return null;
    }
    return "parameter '"
        + name
        + "' must be a string, number, boolean or list of those, not "
        + (value instanceof java.util.Map ? "an object" : value.getClass().getSimpleName());
  }

  private static boolean isScalar(Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }
}

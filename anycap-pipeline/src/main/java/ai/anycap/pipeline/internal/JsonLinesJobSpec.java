package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageOperation;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@code JsonLinesJobSource} was configured with, handed to each {@link
 * JsonLinesJobReader}.
 *
 * @param file the JSON Lines file
 * @param operation the operation of lines without {@code operation}
 * @param template the template for lines with neither {@code template} nor {@code prompt}, or null
 * @param model the model for lines without {@code model}, or null
 * @param params model parameters under every line's own {@code params}
 */
public record JsonLinesJobSpec(
    Path file, ImageOperation operation, String template, String model, Map<String, Object> params) {

  public JsonLinesJobSpec {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(operation, "operation");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }
}

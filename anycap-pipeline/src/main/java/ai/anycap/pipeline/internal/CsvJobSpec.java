package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.PromptTemplate;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@code CsvJobSource} was configured with, handed to each {@link CsvJobReader}. Exactly
 * one of {@code template} and {@code promptColumn} is set (neither, for an upscale); the other
 * optional fields are null when unset.
 *
 * @param file the CSV file
 * @param separator the column separator
 * @param operation every row's operation
 * @param template the template name for every row, or null
 * @param promptColumn the column holding a literal prompt, or null
 * @param outputKey the output key template over the row's columns
 * @param idColumn the column holding the job id, or null for the output key
 * @param model the model for rows without their own, or null
 * @param modelColumn the column holding a per-row model, or null
 * @param params model parameters for every row
 * @param extraValues values added to every row, each rendered from the row's columns
 * @param referenceColumns the columns naming each row's reference images, in order
 */
public record CsvJobSpec(
    Path file,
    char separator,
    ImageOperation operation,
    String template,
    String promptColumn,
    PromptTemplate outputKey,
    String idColumn,
    String model,
    String modelColumn,
    Map<String, Object> params,
    Map<String, PromptTemplate> extraValues,
    List<String> referenceColumns) {

  public CsvJobSpec {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(outputKey, "outputKey");
    Objects.requireNonNull(operation, "operation");
    boolean prompted = template != null || promptColumn != null;
    if (operation == ImageOperation.UPSCALE ? prompted : (template == null) == (promptColumn == null)) {
      throw new IllegalArgumentException("exactly one of template and promptColumn must be set (none for an upscale)");
    }
    referenceColumns = List.copyOf(referenceColumns);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    extraValues = Collections.unmodifiableMap(new LinkedHashMap<>(extraValues));
  }

  /** The columns the header must have, each with what needs it, in a stable order. */
  public Map<String, String> requiredColumns() {
    Map<String, String> required = new LinkedHashMap<>();
    if (idColumn != null) {
      required.putIfAbsent(idColumn, "idColumn");
    }
    if (promptColumn != null) {
      required.putIfAbsent(promptColumn, "promptColumn");
    }
    if (modelColumn != null) {
      required.putIfAbsent(modelColumn, "modelColumn");
    }
    for (String column : referenceColumns) {
      required.putIfAbsent(column, "referenceColumn");
    }
    for (String column : outputKey.placeholders()) {
      required.putIfAbsent(column, "outputKey '" + outputKey.text() + "'");
    }
    extraValues.forEach(
        (name, value) -> {
          for (String column : value.placeholders()) {
            required.putIfAbsent(column, "value '" + name + "' '" + value.text() + "'");
          }
        });
    return required;
  }
}

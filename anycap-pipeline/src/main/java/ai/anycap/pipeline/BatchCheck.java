package ai.anycap.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ImagePipeline#check(JobSource)} found: a batch that would start, sending nothing to
 * find out. A batch that would be refused throws {@link BatchValidationException} instead.
 *
 * @param entries the entries of the source
 * @param invalidEntries the entries that would be skipped as invalid (with {@link
 *     ImagePipelineBuilder#skipInvalidRows()}; 0 otherwise, as any would refuse the batch)
 * @param warnings what could not be checked, such as a model schema that could not be fetched;
 *     empty when everything was
 */
public record BatchCheck(long entries, long invalidEntries, List<String> warnings) {

  /**
   * Copies the warnings, so the result cannot change.
   *
   * @param entries the entries of the source
   * @param invalidEntries the entries that would be skipped as invalid
   * @param warnings what could not be checked
   */
  public BatchCheck {
    warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings"));
  }
}

package ai.anycap.batch;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.BatchValidationException;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.JournalException;
import ai.anycap.pipeline.SkipReason;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks and prices a batch without sending a request: the pipeline's own validation of every row,
 * then its estimate (jobs per model, credits, dollars, jobs the manifest says are done).
 *
 * <p>The check is a run with a budget of zero credits: the pipeline validates the whole source
 * first (and refuses it, naming file, line and field, when a row is malformed), then starts no job
 * because none fits the budget. Its client points at a closed local port and is never used. No
 * file is written: the validation run has no journal, and the estimate only reads it.
 */
final class OfflineCheck {

  /** What the check found. */
  record Result(BatchEstimate estimate, long invalidRows) {}

  private OfflineCheck() {}

  /**
   * @throws BadInputException with the pipeline's message when rows are malformed (unless {@code
   *     --skip-invalid-rows})
   */
  static Result check(BatchInput input) {
    AnyCapClient offline = AnyCapClient.builder()
        .apiKey("offline-check-sends-nothing")
        .endpoint(URI.create("http://127.0.0.1:9"))
        .build();
    JobOptions o = input.options;
    long invalid;
    ImagePipelineBuilder validation = ImagePipeline.builder()
        .client(offline)
        .templates(input.templates)
        .outputRoot(o.out)
        .referenceDirectory(o.referenceDirectory())
        .budget(Budget.credits(0))
        .deduplicate(false);
    if (o.skipInvalidRows) {
      validation.skipInvalidRows();
    }
    try (ImagePipeline pipeline = validation.build()) {
      BatchReport report = pipeline.run(input.source);
      invalid = report.skipped(SkipReason.INVALID);
    } catch (BatchValidationException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    ImagePipelineBuilder pricing = ImagePipeline.builder()
        .client(offline)
        .templates(input.templates)
        .outputRoot(o.out)
        .referenceDirectory(o.referenceDirectory());
    Path journal = o.journalFile();
    if (Files.isRegularFile(journal)) {
      pricing.journal(journal); // read for jobs already done; estimate() writes nothing
    }
    try (ImagePipeline pipeline = pricing.build()) {
      return new Result(pipeline.estimate(input.source), invalid);
    } catch (JournalException e) {
      throw new BadInputException(e.getMessage() + " (use another --journal, or move this one aside)", e);
    }
  }
}

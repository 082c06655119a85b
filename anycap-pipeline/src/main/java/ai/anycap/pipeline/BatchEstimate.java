package ai.anycap.pipeline;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a batch would cost, worked out without sending a request: jobs to run per model (upscales
 * under {@code upscale}, which names none), credits (as the price table's {@code creditsPerImage}
 * expects for each job's operation: 1 an image, 2 an upscale by default) and dollars from the price
 * table. A job whose image the journal kept but did not
 * deliver everywhere runs (it is delivered) and costs nothing. With {@code deduplicate(true)} (the
 * pipeline's default), a request that an earlier entry also makes costs nothing: the run generates
 * it once and copies the image.
 *
 * @param jobs jobs that would run
 * @param alreadyDone jobs the journal says are done, which would be skipped
 * @param invalid entries that are malformed (the run would refuse them, or skip them)
 * @param duplicates jobs whose request an earlier job of the batch also makes
 * @param jobsByModel jobs to run per model id
 * @param credits credits the jobs would take
 * @param usd dollars, for the models the price table prices
 * @param unpricedModels models with jobs but no price, whose cost {@code usd} leaves out
 */
public record BatchEstimate(
    long jobs,
    long alreadyDone,
    long invalid,
    long duplicates,
    Map<String, Long> jobsByModel,
    BigDecimal credits,
    BigDecimal usd,
    List<String> unpricedModels) {

  /**
   * An estimate; the map and list are copied.
   *
   * @param jobs jobs that would run
   * @param alreadyDone jobs the journal says are done
   * @param invalid entries that are malformed
   * @param duplicates jobs whose request an earlier job also makes
   * @param jobsByModel jobs to run per model id
   * @param credits credits the jobs would take
   * @param usd dollars, for the models the price table prices
   * @param unpricedModels models with jobs but no price
   */
  public BatchEstimate {
    jobsByModel = Map.copyOf(jobsByModel);
    Objects.requireNonNull(credits, "credits");
    Objects.requireNonNull(usd, "usd");
    unpricedModels = List.copyOf(unpricedModels);
  }

  /**
   * An estimate of a batch without duplicate requests.
   *
   * @param jobs jobs that would run
   * @param alreadyDone jobs the journal says are done
   * @param invalid entries that are malformed
   * @param jobsByModel jobs to run per model id
   * @param credits credits the jobs would take
   * @param usd dollars, for the models the price table prices
   * @param unpricedModels models with jobs but no price
   */
  public BatchEstimate(
      long jobs, long alreadyDone, long invalid, Map<String, Long> jobsByModel, BigDecimal credits, BigDecimal usd,
      List<String> unpricedModels) {
    this(jobs, alreadyDone, invalid, 0, jobsByModel, credits, usd, unpricedModels);
  }

  /** A one-line summary, such as {@code 20 jobs (0 already done, 0 invalid): 20 credits, ~$0.100; ...}. */
  @Override
  public String toString() {
    return String.format(
        "%d jobs (%d already done, %d invalid%s): %s credits, ~$%s%s; by model %s",
        jobs, alreadyDone, invalid, duplicates == 0 ? "" : ", " + duplicates + " duplicate requests",
        credits.toPlainString(), usd.toPlainString(),
        unpricedModels.isEmpty() ? "" : " (no price for " + unpricedModels + ")", jobsByModel);
  }
}

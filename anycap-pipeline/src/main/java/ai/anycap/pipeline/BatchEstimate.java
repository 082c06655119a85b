package ai.anycap.pipeline;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a batch would cost, worked out without sending a request: jobs to run per model, credits
 * (one per image unless the pipeline has seen otherwise) and dollars from the price table.
 *
 * @param jobs jobs that would run
 * @param alreadyDone jobs the journal says are done, which would be skipped
 * @param invalid entries that are malformed (the run would refuse them, or skip them)
 * @param jobsByModel jobs to run per model id
 * @param credits credits the jobs would take
 * @param usd dollars, for the models the price table prices
 * @param unpricedModels models with jobs but no price, whose cost {@code usd} leaves out
 */
public record BatchEstimate(
    long jobs,
    long alreadyDone,
    long invalid,
    Map<String, Long> jobsByModel,
    BigDecimal credits,
    BigDecimal usd,
    List<String> unpricedModels) {

  public BatchEstimate {
    jobsByModel = Map.copyOf(jobsByModel);
    Objects.requireNonNull(credits, "credits");
    Objects.requireNonNull(usd, "usd");
    unpricedModels = List.copyOf(unpricedModels);
  }

  @Override
  public String toString() {
    return String.format(
        "%d jobs (%d already done, %d invalid): %s credits, ~$%s%s; by model %s",
        jobs, alreadyDone, invalid, credits.toPlainString(), usd.toPlainString(),
        unpricedModels.isEmpty() ? "" : " (no price for " + unpricedModels + ")", jobsByModel);
  }
}

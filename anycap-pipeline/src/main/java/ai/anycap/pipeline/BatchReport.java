package ai.anycap.pipeline;

import ai.anycap.pipeline.internal.ReportJson;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a batch did: how many jobs succeeded, failed and were skipped (and why), what it cost, how
 * long it took, and the failures. {@link #toString()} is a summary for people; {@link #toJson()}
 * the same for machines. Immutable.
 */
public final class BatchReport {

  /** How many failures the report keeps in full; the counts include all of them. */
  public static final int MAX_LISTED_FAILURES = 100;

  private final long succeeded;
  private final long failed;
  private final Map<SkipReason, Long> skipped;
  private final long imagesGenerated;
  private final long retries;
  private final BigDecimal credits;
  private final BigDecimal estimatedCostUsd;
  private final Duration wallTime;
  private final List<JobResult.Failed> failures;
  private final String haltReason;
  private final boolean cancelled;

  /**
   * Built by the pipeline; public so that tests and custom runners can make one.
   *
   * @param succeeded jobs that succeeded
   * @param failed jobs that failed
   * @param skipped skipped jobs by reason (reasons with 0 are dropped)
   * @param imagesGenerated images the server generated
   * @param retries retries scheduled
   * @param credits credits charged
   * @param estimatedCostUsd the dollar cost by the price table
   * @param wallTime how long the batch took
   * @param failures the first failures, in order
   * @param haltReason why the batch stopped early, or null
   * @param cancelled whether it was cancelled
   */
  public BatchReport(
      long succeeded,
      long failed,
      Map<SkipReason, Long> skipped,
      long imagesGenerated,
      long retries,
      BigDecimal credits,
      BigDecimal estimatedCostUsd,
      Duration wallTime,
      List<JobResult.Failed> failures,
      String haltReason,
      boolean cancelled) {
    this.succeeded = succeeded;
    this.failed = failed;
    EnumMap<SkipReason, Long> s = new EnumMap<>(SkipReason.class);
    Objects.requireNonNull(skipped, "skipped").forEach((k, v) -> {
      if (v > 0) {
        s.put(k, v);
      }
    });
    this.skipped = Collections.unmodifiableMap(s);
    this.imagesGenerated = imagesGenerated;
    this.retries = retries;
    this.credits = Objects.requireNonNull(credits, "credits");
    this.estimatedCostUsd = Objects.requireNonNull(estimatedCostUsd, "estimatedCostUsd");
    this.wallTime = Objects.requireNonNull(wallTime, "wallTime");
    this.failures = List.copyOf(failures);
    this.haltReason = haltReason;
    this.cancelled = cancelled;
  }

  /** {@return every job the batch saw: succeeded, failed and skipped} */
  public long total() {
    return succeeded + failed + skipped();
  }

  /** {@return jobs that succeeded} */
  public long succeeded() {
    return succeeded;
  }

  /** {@return jobs that failed} */
  public long failed() {
    return failed;
  }

  /** {@return skipped jobs, of every reason} */
  public long skipped() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Skipped jobs of one reason.
   *
   * @param reason the reason
   * @return how many jobs were skipped for it
   */
  public long skipped(SkipReason reason) {
    return skipped.getOrDefault(reason, 0L);
  }

  /** {@return skipped jobs by reason; reasons with none are absent} */
  public Map<SkipReason, Long> skippedByReason() {
    return skipped;
  }

  /** {@return images the server generated for this batch (a duplicate's copy is not one)} */
  public long imagesGenerated() {
    return imagesGenerated;
  }

  /** {@return retries scheduled across all jobs} */
  public long retries() {
    return retries;
  }

  /** {@return credits charged} */
  public BigDecimal credits() {
    return credits;
  }

  /** {@return the dollar cost of the images generated, by the price table (models without a price add 0)} */
  public BigDecimal estimatedCostUsd() {
    return estimatedCostUsd;
  }

  /** {@return how long the batch took} */
  public Duration wallTime() {
    return wallTime;
  }

  /** {@return succeeded jobs per second of wall time} */
  public double imagesPerSecond() {
    double seconds = wallTime.toNanos() / 1e9;
    return seconds <= 0 ? 0 : succeeded / seconds;
  }

  /** {@return the first {@value #MAX_LISTED_FAILURES} failures, in the order they happened} */
  public List<JobResult.Failed> failures() {
    return failures;
  }

  /** {@return why the batch stopped early (401, 402, 403), when it did} */
  public Optional<String> haltReason() {
    return Optional.ofNullable(haltReason);
  }

  /** {@return whether the batch was cancelled, or its pipeline closed, before it ended} */
  public boolean cancelled() {
    return cancelled;
  }

  /** {@return whether every job succeeded, or had already succeeded before} */
  public boolean allSucceeded() {
    return failed == 0 && skipped() == skipped(SkipReason.ALREADY_DONE);
  }

  /** {@return the report as a JSON object} */
  public String toJson() {
    return ReportJson.write(this);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(
        "Batch %s: %d jobs, %d succeeded, %d failed, %d skipped%n",
        cancelled ? "cancelled" : haltReason != null ? "halted" : "finished",
        total(), succeeded, failed, skipped()));
    if (!skipped.isEmpty()) {
      s.append("  skipped: ").append(skipped).append(String.format("%n"));
    }
    s.append(String.format(
        "  %d images generated, %d retries, %s credits, ~$%s%n",
        imagesGenerated, retries, credits.toPlainString(), estimatedCostUsd.toPlainString()));
    s.append(String.format(
        "  %.1f s wall time, %.2f images/s%n", wallTime.toMillis() / 1000.0, imagesPerSecond()));
    if (haltReason != null) {
      s.append("  halted: ").append(haltReason).append(String.format("%n"));
    }
    int shown = 0;
    for (JobResult.Failed f : failures) {
      if (shown++ == 10) {
        s.append(String.format("  ... and %d more failures%n", failed - 10));
        break;
      }
      s.append(String.format("  FAILED %s [%s] %s%n", f.jobId(), f.errorCode(), f.message()));
    }
    return s.toString();
  }
}

package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SkipReason;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counts of one run, as its {@link BatchReport} gives them: jobs by outcome (skipped ones by
 * reason), the first failures in full, images generated, retries, credits and dollars. Thread-safe:
 * jobs end on HTTP threads while the dispatcher records the ones it skips.
 */
final class RunTally {

  private final long startNanos = System.nanoTime();
  private final AtomicLong retries = new AtomicLong();
  private long succeeded;
  private long failed;
  private final EnumMap<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
  private final List<JobResult.Failed> failures = new ArrayList<>();
  private long imagesGenerated;
  private BigDecimal credits = BigDecimal.ZERO;
  private BigDecimal usd = BigDecimal.ZERO;

  /** Counts a job's result. */
  synchronized void count(JobResult result) {
    if (result instanceof JobResult.Succeeded) {
      succeeded++;
    } else if (result instanceof JobResult.Failed f) {
      failed++;
      if (failures.size() < BatchReport.MAX_LISTED_FAILURES) {
        failures.add(f);
      }
    } else if (result instanceof JobResult.Skipped s) {
      skipped.merge(s.reason(), 1L, Long::sum);
    }
  }

  /** Counts what a generation cost, as soon as the server answered (before its download). */
  synchronized void spent(BigDecimal credits, BigDecimal usd, long images) {
    this.credits = this.credits.add(credits);
    this.usd = this.usd.add(usd);
    this.imagesGenerated += images;
  }

  void retried() {
    retries.incrementAndGet();
  }

  synchronized BatchReport report(String haltReason, boolean cancelled) {
    return new BatchReport(
        succeeded, failed, skipped, imagesGenerated, retries.get(), credits, usd,
        Duration.ofNanos(System.nanoTime() - startNanos), failures, haltReason, cancelled);
  }
}

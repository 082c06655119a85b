package ai.anycap.bench;

import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.PipelineListener;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Follows the pipeline's pacing: how long every job was held by shared {@code Retry-After}
 * pauses (overlapping pauses counted once), and the range of the concurrency limit. Events arrive
 * on one pipeline thread, a little after the change, so the figures are close, not exact.
 */
final class ThrottleLog implements PipelineListener {

  private final int start;
  private int pauses;
  private long pausedNanos;
  private long pausedUntil = Long.MIN_VALUE;
  private int lowest;
  private int highest;
  private long startedNanos;
  private long limitedInFirstSecond;

  ThrottleLog(int start) {
    this.start = start;
    this.lowest = start;
    this.highest = start;
  }

  @Override
  public synchronized void onBatchStarted(OptionalLong totalJobs) {
    startedNanos = System.nanoTime();
  }

  @Override
  public synchronized void onRetryScheduled(ImageJob job, int attempt, Duration delay, Throwable cause) {
    if (cause instanceof RateLimitException && System.nanoTime() - startedNanos < 1_000_000_000L) {
      limitedInFirstSecond++;
    }
  }

  @Override
  public synchronized void onThrottleChanged(int concurrencyLimit, Duration pause) {
    lowest = Math.min(lowest, concurrencyLimit);
    highest = Math.max(highest, concurrencyLimit);
    // A pause can be announced as zero or a hair below it when Retry-After is not honoured.
    if (pause.compareTo(Duration.ofMillis(1)) > 0) {
      long now = System.nanoTime();
      long end = now + pause.toNanos();
      if (end > pausedUntil) {
        pausedNanos += end - Math.max(now, pausedUntil);
        pausedUntil = end;
        pauses++;
      }
    }
  }

  synchronized String describe() {
    return String.format(Locale.ROOT, "%d of the 429s came in the first second; requests held by shared pauses"
            + " %.1f s in all (%d pauses); concurrency limit from %d, between %d and %d",
        limitedInFirstSecond, pausedNanos / 1e9, pauses, start, lowest, highest);
  }
}

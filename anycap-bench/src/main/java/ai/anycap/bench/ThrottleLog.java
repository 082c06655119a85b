package ai.anycap.bench;

import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.RequestPace;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Follows the pipeline's pacing: how long every request was held by shared {@code Retry-After}
 * pauses (overlapping pauses counted once), and the pace it learned. Events arrive on one
 * pipeline thread, a little after the change, so the figures are close, not exact.
 */
final class ThrottleLog implements PipelineListener {

  private int pauses;
  private long pausedNanos;
  private long pausedUntil = Long.MIN_VALUE;
  private double lowest = Double.POSITIVE_INFINITY;
  private double highest;
  private double last = Double.POSITIVE_INFINITY;
  private long startedNanos;
  private long limitedInFirstSecond;

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
  public synchronized void onPaceChanged(RequestPace pace) {
    if (pace.limited()) {
      lowest = Math.min(lowest, pace.requestsPerSecond());
      highest = Math.max(highest, pace.requestsPerSecond());
    }
    last = pace.requestsPerSecond();
    if (pace.paused()) {
      long now = System.nanoTime();
      long end = now + pace.pause().toNanos();
      if (end > pausedUntil) {
        pausedNanos += end - Math.max(now, pausedUntil);
        pausedUntil = end;
        pauses++;
      }
    }
  }

  /**
   * Forgets what an earlier batch saw, for the next batch of the same pipeline; its pace now
   * stands as the lowest and highest so far.
   */
  synchronized void reset() {
    pauses = 0;
    pausedNanos = 0;
    limitedInFirstSecond = 0;
    lowest = last == Double.POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : last;
    highest = lowest == Double.POSITIVE_INFINITY ? 0 : last;
  }

  synchronized String describe() {
    String paces = lowest == Double.POSITIVE_INFINITY
        ? "no pace set (concurrency only)"
        : String.format(Locale.ROOT, "pace between %.1f and %.1f/s, last %.1f/s", lowest, highest, last);
    return String.format(Locale.ROOT, "%d of the 429s came in the first second; requests held by shared pauses"
            + " %.1f s in all (%d pauses); %s",
        limitedInFirstSecond, pausedNanos / 1e9, pauses, paces);
  }
}

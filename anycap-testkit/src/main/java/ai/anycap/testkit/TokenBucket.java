package ai.anycap.testkit;

import java.time.Clock;
import java.time.Instant;

/**
 * The simulator's server-side rate limit: {@code permitsPerSecond} refill a bucket that holds at
 * most {@code burst}, and each generate takes one. Time comes from the simulator's clock, so a
 * test with a fixed clock sees an exact burst and no refill. Refill that finds the bucket full is
 * counted as unused: capacity the limit offered and no client took.
 *
 * <p>Public so that a model of a client under a rate limit (a virtual-time test of a pacer, say)
 * can use the very limit the simulator enforces. Thread-safe.
 */
public final class TokenBucket {

  private final double permitsPerSecond;
  private final double burst;
  private final Clock clock;
  private double tokens;
  private long lastNanos;
  private double unused;
  private boolean started;

  /**
   * A full bucket.
   *
   * @param permitsPerSecond how fast permits come back
   * @param burst the most permits the bucket holds, and so the most granted at once
   * @param clock where time comes from
   */
  public TokenBucket(double permitsPerSecond, int burst, Clock clock) {
    this.permitsPerSecond = permitsPerSecond;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.lastNanos = nanos(clock.instant());
  }

  /**
   * Takes a permit.
   *
   * @return 0 when granted, otherwise the nanoseconds until one will be free
   */
  public synchronized long tryAcquire() {
    long now = nanos(clock.instant());
    if (now > lastNanos) {
      double refilled = tokens + (now - lastNanos) * permitsPerSecond / 1e9;
      if (started) { // idle time before the first request is nobody's loss
        unused += Math.max(0, refilled - burst);
      }
      tokens = Math.min(burst, refilled);
      lastNanos = now;
    }
    started = true;
    if (tokens >= 1.0) {
      tokens -= 1.0;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1.0 - tokens) / permitsPerSecond * 1e9));
  }

  /**
   * Permits the bucket refilled while full, from the first request to the last: what a client
   * sending at exactly the limit would have used and the clients did not.
   *
   * @return the unused permits, rounded down
   */
  public synchronized long unusedPermits() {
    return (long) unused;
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}

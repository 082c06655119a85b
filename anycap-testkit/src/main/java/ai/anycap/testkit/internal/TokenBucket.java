package ai.anycap.testkit.internal;

import java.time.Clock;
import java.time.Instant;

/**
 * The simulator's server-side rate limit: {@code permitsPerSecond} refill a bucket that holds at
 * most {@code burst}, and each generate takes one. Time comes from the simulator's clock, so a
 * test with a fixed clock sees an exact burst and no refill. Refill that finds the bucket full is
 * counted as unused: capacity the limit offered and no client took.
 */
public final class TokenBucket {

  private final double permitsPerSecond;
  private final double burst;
  private final Clock clock;
  private double tokens;
  private long lastNanos;
  private double unused;
  private boolean started;

  public TokenBucket(double permitsPerSecond, int burst, Clock clock) {
    this.permitsPerSecond = permitsPerSecond;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.lastNanos = nanos(clock.instant());
  }

  /** Takes a permit: 0 when granted, otherwise the nanoseconds until one will be free. */
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
   * Permits the bucket refilled while full, from the first request to the last: what a client sending at
   * exactly the limit would have used and the clients did not.
   */
  public synchronized long unusedPermits() {
    return (long) unused;
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}

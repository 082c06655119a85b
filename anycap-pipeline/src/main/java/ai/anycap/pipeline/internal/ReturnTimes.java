package ai.anycap.pipeline.internal;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * How long 429s took to come back over the last minute, to tell one that came back late: a 429 is
 * answered as the request arrives, so one that took far longer than the fastest waited on the way
 * (in a stalled server's queue, or in a stalled client before it was written or read), and so did
 * the requests around it, which then reached the server in a bunch.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class ReturnTimes {

  /** Late means this much longer than the fastest ... */
  static final long LATE_BY_NANOS = Duration.ofMillis(50).toNanos();
  /** ... and this many times as long. */
  static final long LATE_FACTOR = 4;
  /** How far back the fastest is looked for. */
  private static final long RECENT_NANOS = Duration.ofSeconds(60).toNanos();
  private static final int MOST_KEPT = 64;

  /** {answered at, took}, oldest first. */
  private final ArrayDeque<long[]> recent = new ArrayDeque<>();

  /**
   * Whether a 429 answered at {@code now} after {@code took} nanoseconds came back late against
   * those of the last minute (never the first); remembers it for the next.
   */
  boolean late(long now, long took) {
    while (!recent.isEmpty() && now - recent.peekFirst()[0] > RECENT_NANOS) {
      recent.pollFirst();
    }
    long fastest = Long.MAX_VALUE;
    for (long[] r : recent) {
      fastest = Math.min(fastest, r[1]);
    }
    recent.addLast(new long[] {now, took});
    if (recent.size() > MOST_KEPT) {
      recent.pollFirst();
    }
    return fastest != Long.MAX_VALUE && took > Math.max(LATE_FACTOR * fastest, fastest + LATE_BY_NANOS);
  }
}

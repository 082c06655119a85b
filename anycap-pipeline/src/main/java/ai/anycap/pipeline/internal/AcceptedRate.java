package ai.anycap.pipeline.internal;

/**
 * What rate the server has demonstrably let requests through at: successes counted by the second
 * they were sent in (when the server let them through, give or take the way there, so that
 * answers that come back late or in a bunch count where they belong), for the last minute.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class AcceptedRate {

  /** The window a demonstrated rate is measured over: long enough that a burst counts little. */
  static final int WINDOW_SECONDS = 10;
  private static final int KEPT_SECONDS = 70;
  private static final long SECOND = 1_000_000_000L;

  private final int[] bySecond = new int[KEPT_SECONDS];
  private long newestSecond = Long.MIN_VALUE;
  private double bestTwoSeconds;

  void accepted(long sentAt) {
    long second = Math.floorDiv(sentAt, SECOND);
    if (newestSecond == Long.MIN_VALUE) {
      newestSecond = second;
    }
    if (second > newestSecond) {
      for (long s = Math.max(newestSecond + 1, second - KEPT_SECONDS + 1); s <= second; s++) {
        bySecond[slot(s)] = 0;
      }
      newestSecond = second;
    }
    if (second > newestSecond - KEPT_SECONDS) {
      bySecond[slot(second)]++;
    }
    int before = second - 1 > newestSecond - KEPT_SECONDS ? bySecond[slot(second - 1)] : 0;
    bestTwoSeconds = Math.max(bestTwoSeconds, (bySecond[slot(second)] + before) / 2.0);
  }

  /** The most requests a second let through over any two seconds. */
  double bestOverTwoSeconds() {
    return bestTwoSeconds;
  }

  /**
   * The most requests a second the server let through over {@value #WINDOW_SECONDS} seconds in
   * the last minute before {@code now}, less what a bucket of {@code burst} full at the start of
   * the window could have added: a rate the server's own limit must allow.
   */
  double demonstrated(long now, double burst) {
    long last = Math.min(newestSecond, Math.floorDiv(now, SECOND)) - 1; // the newest second is still filling
    long first = Math.max(newestSecond - KEPT_SECONDS + 1, last - 60 + 1);
    if (newestSecond == Long.MIN_VALUE || last - first + 1 < WINDOW_SECONDS) {
      return 0;
    }
    int sum = 0;
    for (long s = first; s < first + WINDOW_SECONDS; s++) {
      sum += bySecond[slot(s)];
    }
    int best = sum;
    for (long s = first + WINDOW_SECONDS; s <= last; s++) {
      sum += bySecond[slot(s)] - bySecond[slot(s - WINDOW_SECONDS)];
      best = Math.max(best, sum);
    }
    return Math.max(0, (best - (Double.isNaN(burst) ? 0 : burst)) / WINDOW_SECONDS);
  }

  private static int slot(long second) {
    return (int) Math.floorMod(second, (long) KEPT_SECONDS);
  }
}

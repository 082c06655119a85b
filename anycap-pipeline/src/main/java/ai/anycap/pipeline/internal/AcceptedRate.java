package ai.anycap.pipeline.internal;

/**
 * What rate the server has demonstrably let requests through at: successes counted by the second
 * they were sent in (when the server let them through, give or take the way there, so that
 * answers that come back late or in a bunch count where they belong), for the last minute.
 *
 * <p>With a pace shared by several pipelines, the server lets through the requests of all of
 * them, and this pipeline sees the answers to its own only. The shared schedule tells it when
 * every pipeline sent ({@link #othersSent}), so each second counts what all of them sent, times
 * the share of this pipeline's requests of that second that went through (the moments interleave,
 * so every pipeline's share is about the same). Counted from one pipeline's successes alone, a
 * floor meant to keep the pace near what the account demonstrably got through sat at a quarter of
 * it with four workers, and a single 429 cut the shared pace from 49 to 44.6 a second for the rest
 * of a batch (the benchmark's shared-quota row, 2026-12-01). Alone, every request sent is this
 * pipeline's, and the count is its successes.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class AcceptedRate {

  /** The window a demonstrated rate is measured over: long enough that a burst counts little. */
  static final int WINDOW_SECONDS = 10;
  private static final int KEPT_SECONDS = 70;
  private static final long SECOND = 1_000_000_000L;

  /** This pipeline's requests that went through, by the second they were sent in. */
  private final int[] accepted = new int[KEPT_SECONDS];
  /** This pipeline's requests, by the second they were sent in. */
  private final int[] sent = new int[KEPT_SECONDS];
  /** Every pipeline's requests (this one's included), by the second they were sent in. */
  private final int[] sentByAll = new int[KEPT_SECONDS];
  private long newestSecond = Long.MIN_VALUE;
  /** The best two seconds among those no longer kept. */
  private double bestTwoSecondsGone;

  /** This pipeline sent a request at {@code at}. */
  void sent(long at) {
    int slot = advance(at);
    if (slot >= 0) {
      sent[slot]++;
      sentByAll[slot]++;
    }
  }

  /** Another pipeline sharing the pace sent a request at {@code at} (this pipeline's clock). */
  void othersSent(long at) {
    int slot = advance(at);
    if (slot >= 0) {
      sentByAll[slot]++;
    }
  }

  /** This pipeline's request sent at {@code sentAt} went through. */
  void accepted(long sentAt) {
    int slot = advance(sentAt);
    if (slot < 0) {
      return;
    }
    accepted[slot]++;
    if (sent[slot] < accepted[slot]) {
      // Sent before this count began (or by a caller that does not report sends): count it sent.
      sent[slot]++;
      sentByAll[slot]++;
    }
  }

  /**
   * The most requests a second let through over any two seconds. Worked out when asked: with a
   * shared pace, a second's count moves as the other pipelines' sends and this one's answers come
   * in, and a best kept as they came would keep a passing high.
   */
  double bestOverTwoSeconds() {
    if (newestSecond == Long.MIN_VALUE) {
      return bestTwoSecondsGone;
    }
    double best = bestTwoSecondsGone;
    for (long s = newestSecond - KEPT_SECONDS + 2; s <= newestSecond; s++) {
      best = Math.max(best, twoSeconds(s));
    }
    return best;
  }

  /** What every pipeline got through a second, on average over second {@code s} and the one before. */
  private double twoSeconds(long s) {
    return (byAll(slot(s)) + byAll(slot(s - 1))) / 2;
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
    long acc = 0;
    long own = 0;
    long all = 0;
    double best = 0;
    for (long s = first; s <= last; s++) {
      int in = slot(s);
      acc += accepted[in];
      own += sent[in];
      all += sentByAll[in];
      if (s >= first + WINDOW_SECONDS) {
        int out = slot(s - WINDOW_SECONDS);
        acc -= accepted[out];
        own -= sent[out];
        all -= sentByAll[out];
      }
      if (s >= first + WINDOW_SECONDS - 1 && own > 0) {
        best = Math.max(best, (double) acc * all / own);
      }
    }
    return Math.max(0, (best - (Double.isNaN(burst) ? 0 : burst)) / WINDOW_SECONDS);
  }

  /** What every pipeline got through in the second at {@code slot}, as this one's share says. */
  private double byAll(int slot) {
    return sent[slot] == 0 ? 0 : (double) accepted[slot] * sentByAll[slot] / sent[slot];
  }

  /**
   * Moves the newest second up to {@code at}'s, clearing the seconds it passes: the slot of
   * {@code at}'s second, or -1 when that second is no longer kept.
   */
  private int advance(long at) {
    long second = Math.floorDiv(at, SECOND);
    if (newestSecond == Long.MIN_VALUE) {
      newestSecond = second;
    }
    if (second > newestSecond) {
      if (second - newestSecond >= KEPT_SECONDS) {
        bestTwoSecondsGone = bestOverTwoSeconds(); // every kept second goes
      }
      for (long s = Math.max(newestSecond + 1, second - KEPT_SECONDS + 1); s <= second; s++) {
        if (second - newestSecond < KEPT_SECONDS) {
          // Second s takes the slot of second s - KEPT_SECONDS: its pair with the second after it goes.
          bestTwoSecondsGone = Math.max(bestTwoSecondsGone, twoSeconds(s - KEPT_SECONDS + 1));
        }
        int slot = slot(s);
        accepted[slot] = 0;
        sent[slot] = 0;
        sentByAll[slot] = 0;
      }
      newestSecond = second;
    }
    return second > newestSecond - KEPT_SECONDS ? slot(second) : -1;
  }

  private static int slot(long second) {
    return (int) Math.floorMod(second, (long) KEPT_SECONDS);
  }
}

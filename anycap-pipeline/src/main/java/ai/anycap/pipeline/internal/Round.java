package ai.anycap.pipeline.internal;

/**
 * The requests of one round of a pace, from a pause's end to the first request refused, as a
 * token bucket full at the round's start would have seen them: what rate such a bucket must have
 * had, for a given burst, to let through all of them and refuse the last. One round gives that
 * rate as a function of the burst; two rounds of different lengths give both.
 *
 * @param start when the round began (the bucket was full then: a pause refilled it)
 * @param sentAt when each request before the refused one went, in order
 * @param refusedAt when the refused one went
 */
record Round(long start, long[] sentAt, long refusedAt) implements RateTie {

  /**
   * The smallest burst a fit of two rounds is trusted to find: near one, noise (a bunch, a stall)
   * bends the curves most.
   */
  static final double LEAST_JOINT_BURST = 2;
  /** Two rounds tell burst from rate when the longer is at least this many times the shorter. */
  static final double LENGTHS_APART = 1.5;

  /** How a replay through a token bucket went. */
  enum Fit {
    EARLIER_REFUSED,
    LAST_REFUSED,
    LAST_TOO
  }

  @Override
  public int sent() {
    return sentAt.length;
  }

  @Override
  public double seconds() {
    return Math.max(0, refusedAt - start) / 1e9;
  }

  /**
   * The refill rate of a bucket of {@code burst} tokens that lets through every request before
   * the refused one and refuses it; NaN when no rate fits (the bucket would still have held a
   * token for it without any refill, or only an absurd rate explains it). Found by bisection
   * between the lowest rate that lets all the earlier requests through and the lowest that would
   * have let the refused one through too.
   */
  @Override
  public double fittedRate(double burst) {
    if (replay(burst, 0) == Fit.LAST_TOO) {
      return Double.NaN;
    }
    double low = 0;
    double high = 1;
    while (replay(burst, high) != Fit.LAST_TOO) {
      high *= 2;
      if (high > 1e7) {
        return Double.NaN;
      }
    }
    for (int i = 0; i < 40; i++) {
      double mid = (low + high) / 2;
      if (replay(burst, mid) == Fit.LAST_TOO) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return high;
  }

  /**
   * The most the server's rate can be, as this round shows it: the fit for the smallest burst
   * that has one (requests that went at the same instant need that many tokens at once); NaN when
   * none does.
   */
  double mostRate() {
    for (int b = 1; b <= sent() + 1; b++) {
      double rate = fittedRate(b);
      if (!Double.isNaN(rate)) {
        return rate;
      }
    }
    return Double.NaN;
  }

  /** Replays the round through a bucket of {@code burst} tokens refilled at {@code rate} a second. */
  Fit replay(double burst, double rate) {
    double tokens = burst;
    long at = start;
    for (long t : sentAt) {
      tokens = Math.min(burst, tokens + Math.max(0, t - at) / 1e9 * rate);
      at = Math.max(at, t);
      if (tokens < 1) {
        return Fit.EARLIER_REFUSED;
      }
      tokens -= 1;
    }
    tokens = Math.min(burst, tokens + Math.max(0, refusedAt - at) / 1e9 * rate);
    return tokens >= 1 ? Fit.LAST_TOO : Fit.LAST_REFUSED;
  }

  /**
   * The burst and rate of the one bucket that explains both rounds, with the burst at most {@code
   * mostBurst}; null when none does (rounds too alike in length to tell the two apart, or noise).
   * Each round alone ties the rate to the burst (a larger burst, a lower rate); where the two ties
   * cross is the answer.
   */
  static double[] joint(RateTie a, RateTie b, double mostBurst) {
    double high = Math.min(mostBurst, Math.min(a.sent(), b.sent()));
    double shorter = Math.min(a.seconds(), b.seconds());
    double longer = Math.max(a.seconds(), b.seconds());
    if (high < LEAST_JOINT_BURST || longer < LENGTHS_APART * shorter) {
      return null; // alike in length, the two ties run nearly parallel, and noise decides where they cross
    }
    // Below some burst a round has no fit at all (requests that went together need that many
    // tokens at once); the search starts where both have one.
    double low = LEAST_JOINT_BURST;
    while (low < high && Double.isNaN(gap(a, b, low))) {
      low++;
    }
    double atLow = gap(a, b, low);
    double atHigh = gap(a, b, high);
    if (Double.isNaN(atLow) || Double.isNaN(atHigh) || Math.signum(atLow) == Math.signum(atHigh)) {
      return null;
    }
    for (int i = 0; i < 30; i++) {
      double mid = (low + high) / 2;
      double g = gap(a, b, mid);
      if (Double.isNaN(g)) {
        return null;
      }
      if (Math.signum(g) == Math.signum(atLow)) {
        low = mid;
      } else {
        high = mid;
      }
    }
    double rate = b.fittedRate(low);
    return Double.isNaN(rate) || rate <= 0 ? null : new double[] {low, rate};
  }

  /**
   * The burst that an opening burst's count {@code counted} really shows, given that its requests
   * reached the server over {@code spreadSeconds} (the server's bucket refilling meanwhile at the
   * rate this round gives for that burst): the burst {@code b} with {@code b = counted - rate(b) *
   * spread}, at least one.
   */
  double burstFromCount(double counted, double spreadSeconds) {
    if (spreadSeconds <= 0 || counted <= 1) {
      return counted;
    }
    // The largest such burst: near one, a bucket that refills fast enough satisfies it too.
    double high = counted;
    double low = high;
    while (low > 1 && low - counted + orZero(fittedRate(low)) * spreadSeconds >= 0) {
      high = low;
      low = Math.max(1, low - 1);
    }
    if (low - counted + orZero(fittedRate(low)) * spreadSeconds >= 0) {
      return counted; // nothing fits: keep the count, at most right
    }
    for (int i = 0; i < 20; i++) {
      double mid = (low + high) / 2;
      if (mid - counted + orZero(fittedRate(mid)) * spreadSeconds < 0) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private static double orZero(double rate) {
    return Double.isNaN(rate) ? 0 : rate;
  }

  private static double gap(RateTie a, RateTie b, double burst) {
    return a.fittedRate(burst) - b.fittedRate(burst);
  }
}

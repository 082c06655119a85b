package ai.anycap.pipeline.internal;

/**
 * What a pace has learned about a server's rate limit, as one value: the part of a {@link
 * RequestPacer} that several workers sending to one account could share (through a {@link
 * PaceStore}), while each keeps its own queue and the log of its own requests. Times are
 * nanoseconds of the pacer's clock.
 *
 * @param rate the pace, requests a second; positive infinity while unpaced
 * @param phase where the learning stands
 * @param round how many times the pace was adjusted or paused for a 429: a 429 answering a
 *     request of an earlier round was already acted upon
 * @param pausedUntil no request goes before this
 * @param burst how many requests the server lets through at once; NaN until known
 * @param limit the server's rate as last fitted; NaN until known
 * @param lastCut when the pace was last cut: probing starts {@code holdSeconds} later
 * @param holdSeconds how long the pace holds after a cut before probing for more
 * @param lastGrowth when the pace last grew (or was found not to need to)
 * @param unexpectedAt when a 429 last came while the pace held steady, and was paused for but not
 *     believed; {@link Long#MIN_VALUE} for never
 * @param verifyGrowth how fast the pace grows a second while verifying (a factor, such as 1.02)
 * @param burstRefused with a shared store, the 429s every pipeline got for the opening burst
 *     that began the search (counted by each as its 429s come back), so that the one that learns
 *     from the burst knows what all of them sent got through
 * @param tie what the last round whose 429 was believed ties the server's rate to, for a fit of
 *     burst and rate from it and the next; null until one
 */
record PaceState(
    double rate,
    Phase phase,
    long round,
    long pausedUntil,
    double burst,
    double limit,
    long lastCut,
    double holdSeconds,
    long lastGrowth,
    long unexpectedAt,
    double verifyGrowth,
    long burstRefused,
    RateTie tie) {

  /** Where the learning stands. */
  enum Phase {
    /** No 429 yet: only the concurrency bounds the requests. */
    UNPACED,
    /** The opening burst gave the server's burst; the pace grows fast until the next 429. */
    SEARCHING,
    /** A first fit of the rate; the pace grows slowly until a 429 confirms it. */
    VERIFYING,
    /**
     * A shared pace's verification (or a cut of a holding pace after a short round) fitted a
     * rate well below what the server had just let through, and no earlier round told its burst
     * from its rate: the pace climbs once more, for a second round to fit both from.
     */
    RECHECKING,
    /** At the learned pace; after {@code holdSeconds} without a cut, it probes slowly for more. */
    HOLDING
  }

  /** Nothing learned yet. */
  static PaceState initial(double holdSeconds) {
    return new PaceState(Double.POSITIVE_INFINITY, Phase.UNPACED, 0, Long.MIN_VALUE, Double.NaN, Double.NaN, 0,
        holdSeconds, 0, Long.MIN_VALUE, 1.02, 0, null);
  }

  PaceState withRate(double newRate, long grownAt) {
    return new PaceState(newRate, phase, round, pausedUntil, burst, limit, lastCut, holdSeconds, grownAt,
        unexpectedAt, verifyGrowth, burstRefused, tie);
  }

  PaceState withBurst(double newBurst, double newRate) {
    return new PaceState(newRate, phase, round, pausedUntil, newBurst, limit, lastCut, holdSeconds, lastGrowth,
        unexpectedAt, verifyGrowth, burstRefused, tie);
  }

  /** Back to unpaced: what looked like a burst limit was not one. */
  PaceState unpaced() {
    return new PaceState(Double.POSITIVE_INFINITY, Phase.UNPACED, round, pausedUntil, Double.NaN, limit, lastCut,
        holdSeconds, lastGrowth, unexpectedAt, verifyGrowth, burstRefused, tie);
  }

  /** A new round paused until {@code until}, the pace and what was learned unchanged. */
  PaceState pausedOnly(long until) {
    return new PaceState(rate, phase, round + 1, Math.max(pausedUntil, until), burst, limit, lastCut, holdSeconds,
        Math.max(lastGrowth, until), unexpectedAt, verifyGrowth, burstRefused, tie);
  }

  /** A 429 came at {@code at} while the pace held steady, and was not believed (yet). */
  PaceState withUnexpected(long at) {
    return new PaceState(rate, phase, round, pausedUntil, burst, limit, lastCut, holdSeconds, lastGrowth, at,
        verifyGrowth, burstRefused, tie);
  }

  /** With the tie of {@code believed}, the last round whose 429 was believed. */
  PaceState withTie(RateTie believed) {
    return new PaceState(rate, phase, round, pausedUntil, burst, limit, lastCut, holdSeconds, lastGrowth,
        unexpectedAt, verifyGrowth, burstRefused, believed);
  }

  /** One more 429 for the opening burst, in one of the pipelines sharing the pace. */
  PaceState withBurstRefusal() {
    return new PaceState(rate, phase, round, pausedUntil, burst, limit, lastCut, holdSeconds, lastGrowth,
        unexpectedAt, verifyGrowth, burstRefused + 1, tie);
  }

  /**
   * How much the pace grows from its last growth to {@code now}: only while it binds (requests
   * wait for it), by how far the learning stands.
   */
  double growth(long now, boolean binding) {
    double seconds = (now - lastGrowth) / 1e9;
    if (!binding) {
      return 1;
    }
    return switch (phase) {
      case SEARCHING -> Math.pow(PaceLearner.SEARCH_GROWTH_PER_SECOND, seconds);
      case VERIFYING, RECHECKING -> Math.pow(verifyGrowth, seconds);
      case HOLDING -> probing(now) ? Math.pow(1 + probePerSecond(now), seconds) : 1;
      case UNPACED -> 1;
    };
  }

  /**
   * How fast the pace probes for more at {@code now}: slowly for {@link
   * PaceLearner#PROBE_STEADY_SECONDS}, then twice as fast every {@link
   * PaceLearner#PROBE_DOUBLING_SECONDS} that pass without a cut, up to {@link
   * PaceLearner#MOST_PROBE_PER_SECOND}: the longer no 429 comes, the farther the limit must be.
   */
  double probePerSecond(long now) {
    double probed = Math.max(0, (now - lastCut) / 1e9 - holdSeconds - PaceLearner.PROBE_STEADY_SECONDS);
    return Math.min(PaceLearner.MOST_PROBE_PER_SECOND,
        PaceLearner.PROBE_PER_SECOND * Math.pow(2, probed / PaceLearner.PROBE_DOUBLING_SECONDS));
  }

  /** Whether the pace has held long enough since its last cut to probe for more. */
  boolean probing(long now) {
    return phase == Phase.HOLDING && (now - lastCut) / 1e9 > holdSeconds;
  }
}

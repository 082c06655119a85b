package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.internal.PaceState.Phase;
import java.time.Duration;

/**
 * The pace a believed 429 leaves, for {@link PaceLearner}: the rate the round fits less a margin,
 * within floors that keep noise (a bunch, a stall, a burst counted too high) from cutting it far
 * below what the server demonstrably lets through, and where the learning goes next.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class PaceCut {

  static final double MIN_RATE = 0.01;
  static final double VERIFY_PER_SECOND = 0.02;
  /** Verification grows the pace at most this much a second ... */
  private static final double MOST_VERIFY_PER_SECOND = 0.10;
  /** ... so as to reach the highest rate the search's round allows in about this many seconds. */
  private static final double VERIFY_SECONDS = 5;
  private static final double LEAST_CUT = 0.99;
  private static final double MARGIN = 0.99;
  /** Two fits this close confirm the limit: the pace then holds at the fit, without {@link #MARGIN}. */
  private static final double CONFIRMED_WITHIN = 0.02;
  private static final double MOST_CUT = 0.85;
  private static final double SEARCH_FLOOR = 0.25;
  /** See the pacer's class comment; two seconds of a token bucket let through at most R + B / 2. */
  private static final double ACCEPTED_FLOOR = 0.5;
  /** A probe that finds the limit this close to where it was doubles the hold before the next. */
  private static final double SAME_LIMIT = 0.97;
  /** A round at least this long before its 429 says the pace was close to the limit. */
  private static final double CLOSE_ROUND_SECONDS = 5;
  /** The floor a demonstrated rate sets, as a share of it. */
  private static final double DEMONSTRATED_SHARE = 0.98;
  /** Three believed 429s within this time say the limit moved: the demonstrated rate is history. */
  private static final long LIMIT_MOVED_NANOS = Duration.ofSeconds(15).toNanos();
  /** A shared verification's fit this far below the best two seconds is climbed past once more. */
  private static final double RECHECK_BELOW = 0.9;
  /**
   * A bucket of rate R and burst B lets through at most R + B / 2 a second over two seconds: a
   * fit of two rounds whose R + B / 2 lies this far below what went through is not the server's.
   */
  private static final double UNEXPLAINED_BELOW = 0.95;
  /** A recheck's round at least this many times shorter or longer: {@link Round#LENGTHS_APART}, and a margin. */
  private static final double RECHECK_APART = 1.6;

  /**
   * What a round that ended in a 429 says: the server's rate (positive infinity when it shows no
   * limit below the pace) and its burst; {@code twoRounds} when both came from it and the last
   * believed round together.
   */
  record Estimate(double rate, double burst, boolean twoRounds) {}

  /**
   * A believed 429: when it came ({@code at}), the pace it came at ({@code ceiling}), the
   * requests its round sent before it, and the round (null when the log lost its start).
   */
  record Refusal(long at, double ceiling, long sentBefore, Round round) {}

  private final AcceptedRate accepted;
  private final boolean shared;
  /** When the last believed 429s came, newest last: three close together lift the floor. */
  private final long[] believedAt = {Long.MIN_VALUE, Long.MIN_VALUE};

  PaceCut(AcceptedRate accepted, boolean shared) {
    this.accepted = accepted;
    this.shared = shared;
  }

  /**
   * The state a 429 that came {@code at} while the pace held leaves {@code s} in, believed only if
   * another comes soon: remembered, and a pace held at a confirmed fit itself steps down to the
   * margin below it. That fit is a hair above the server's rate, and the two fits that confirmed it
   * shared the error (a limiter that is not quite a token bucket fits alike twice): held there,
   * the bucket would run dry again about as far apart, a pause each time, none believed.
   */
  PaceState unexpected(PaceState s, long at) {
    PaceState next = s.withUnexpected(at);
    double belowFit = MARGIN * s.limit();
    // (At the fit itself, not above it: a floor above the fit is what the server let through.)
    boolean atFit = s.rate() > belowFit && s.rate() <= s.limit() * (1 + 1e-9);
    return atFit ? next.withRate(belowFit, s.lastGrowth()) : next;
  }

  /** The state {@code p} leaves {@code s} in, the round fitting {@code e}, at {@code now}. */
  PaceState after(PaceState s, Refusal p, Estimate e, long now) {
    double estimate = e.rate();
    // Verifying, a 429 whose fit is above the pace says the round's requests reached the server
    // in a bunch (stalled together, or caught up at once), not where its rate is: verification
    // goes on. Taken for the limit, it ended verification below half the limit (a shared pace
    // held 21/s for a minute, fitted 182: 0.666 R in the benchmark). (Believing a second one
    // within 30 s, at the rate requests went at less 10%, was tried: four workers pacing alone
    // on one account then made 0.505 R, against 0.90 to 0.96 without.)
    boolean verifying = s.phase() == Phase.VERIFYING || s.phase() == Phase.RECHECKING;
    if (estimate == Double.POSITIVE_INFINITY || (verifying && estimate > p.ceiling())) {
      if (s.phase() == Phase.SEARCHING) {
        // Refused before the burst counted at the start could have run out: that count was too
        // high (the opening burst reached the server spread out, and the bucket refilled as it
        // came in). At most what this round got through; the search starts again from there.
        double burst = Math.max(1, p.sentBefore());
        double pauseSeconds = Math.max(1.0, (s.pausedUntil() - p.at()) / 1e9);
        return new PaceState(Math.max(MIN_RATE, burst / pauseSeconds), Phase.SEARCHING, s.round(), s.pausedUntil(),
            burst, s.limit(), s.lastCut(), s.holdSeconds(), now, s.unexpectedAt(), s.verifyGrowth(), s.burstRefused(),
            s.tie());
      }
      // Nothing here says the server's rate is below the pace: a 429 that no token bucket
      // explains (another client's, or noise) pauses, as asked, but does not slow the pace.
      return s;
    }
    double ceiling = p.ceiling();
    // A long round at the pace says the pace is close to the limit, and cuts little: a 429 after
    // a short one says it is far over it (a limit that moved, or a burst taken for more than it is).
    boolean close = s.phase() == Phase.HOLDING && p.round() != null && p.round().seconds() >= CLOSE_ROUND_SECONDS;
    double floor = Math.max((close ? MOST_CUT : SEARCH_FLOOR) * ceiling,
        ACCEPTED_FLOOR * accepted.bestOverTwoSeconds());
    if (shared && s.phase() == Phase.SEARCHING && !Double.isNaN(s.burst())) {
      // Over two seconds a bucket lets through at most its rate and half its burst a second, and
      // the opening's count is at most the burst: the rate is at least what went through less half
      // the count. A shared search fitted 19 a second with a count of 26, and verification, at
      // most 10% a second, took about 10 s to reach the limit (0.920 R in the benchmark,
      // 2026-12-02); in the model, 0.932 R for 0.927 where 429s come back half a second late.
      floor = Math.max(floor, Math.min(ceiling, accepted.bestOverTwoSeconds() - s.burst() / 2));
    }
    if (verifying && !Double.isNaN(s.limit())) {
      // Verifying, the pace started from the rate the search just fitted: a 429 that fits a rate
      // far below it says the round's requests reached the server in a bunch (held up on a busy
      // client, or by workers sharing the pace that a stall held up together), not that the
      // limit is a quarter of what the search found. Believed, such a fit cut a shared pace from
      // 52.5 to 13.5 a second for the rest of a batch (0.319 R in the model: four workers whose
      // timers stall 150 ms about every second); cut at most this far, 0.853 R. Should the limit
      // really be lower, the next 429 cuts again, from the holding pace.
      floor = Math.max(floor, Math.min(ceiling, MOST_CUT * s.limit()));
    }
    // (Long.MIN_VALUE until two were believed: now minus it overflows on a clock past zero.)
    if (believedAt[0] == Long.MIN_VALUE || now - believedAt[0] > LIMIT_MOVED_NANOS) {
      // Not below what the server let through over ten seconds of the last minute, less a margin:
      // a fit lower than that says the requests reached it in a bunch, not that its rate is lower.
      // Unless 429s come thick and fast: then the limit itself moved.
      floor = Math.max(floor, Math.min(ceiling, DEMONSTRATED_SHARE * accepted.demonstrated(now, s.burst())));
    }
    believedAt[0] = believedAt[1];
    believedAt[1] = now;
    // A fit that verification or a probe finds where the last one was (within 2%) is the limit twice
    // over: the pace holds at it rather than 1% below, where the margin cost 1% of every batch (1.2 s
    // of 120 at R = 50). Should both fits be a hair high, the first 429 there steps the pace down to
    // the margin (unexpected, above). On the model (20 seeds, 17 conditions): one pipeline 0.961 to
    // 0.968 R quiet, 0.957 to 0.962 with jitter, the mean of all 0.937 to 0.942, and no condition's
    // worst lower by more than 0.002; over batches of 500 to 30,000 jobs, better at every length but
    // 3,000 (0.948 to 0.938: the first probe's 429 now lands inside the batch). In the benchmark
    // (medians of 3): 0.958 to 0.960 R quiet, 0.955 to 0.958 with jitter, 0.954 to 0.958 under CPU
    // load.
    boolean confirmed = !Double.isNaN(s.limit()) && Math.abs(estimate / s.limit() - 1) <= CONFIRMED_WITHIN
        && (s.phase() == Phase.VERIFYING || s.probing(p.at()));
    double margin = confirmed ? 1 : MARGIN;
    double rate = Math.max(MIN_RATE, Math.min(ceiling, Math.max(floor, Math.min(LEAST_CUT * ceiling, margin * estimate))));
    Phase phase = s.phase() == Phase.SEARCHING ? Phase.VERIFYING : Phase.HOLDING;
    double hold = PaceLearner.HOLD_SECONDS;
    if (s.probing(p.at()) && !Double.isNaN(s.limit()) && estimate >= SAME_LIMIT * s.limit()) {
      hold = Math.min(PaceLearner.MOST_HOLD_SECONDS, 2 * s.holdSeconds()); // the limit is where it was: probe less often
    }
    double verify = s.verifyGrowth();
    if (s.phase() == Phase.SEARCHING) {
      // The burst counted at the start is at most right, so the fitted rate is at least right;
      // a burst of one gives the most the round allows. Verification climbs fast enough to get
      // there in a few seconds: slowly when the two are close (a quiet start), fast when not.
      // Without the round (a worker sharing the pace whose log lost its start), the pace the
      // server refused stands for that most: climbing 2% a second instead, the benchmark's four
      // workers took 25 s to get from 33 a second to the limit of 50 (0.865 R).
      double most = p.round() != null ? p.round().mostRate() : p.ceiling();
      if (most > estimate) {
        verify = Math.max(verify, Math.min(1 + MOST_VERIFY_PER_SECOND, Math.pow(most / estimate, 1 / VERIFY_SECONDS)));
      }
    }
    // Verifying or rechecking, a fit below the floor (the floor set the pace) is a bunch's: it says
    // nothing of where the limit is, and so is rechecked too, however little went through before.
    // (A recheck's bunch was held: a shared pace sat at a floor of 20.5 a second for 100 s, 0.655 R.)
    boolean bunched = verifying && estimate < rate;
    // A recheck's own fit, too, when no round crossed it (the two were alike in length): fitted
    // with the opening's count alone, it held 43 a second for 80 s against a limit of 50 (0.881 R
    // in the benchmark, 2026-12-02).
    boolean recheckable = verifying || (s.phase() == Phase.HOLDING && !close);
    // Two rounds' fit is checked against what went through: two rounds of a tenth and six tenths
    // of a second (a bunch each) crossed at 38.4 a second with a burst of 17, where 54 a second
    // had gone through over two seconds; held for 96 s, 0.831 R in the model (rechecked, 0.931 R).
    double best = accepted.bestOverTwoSeconds();
    boolean unexplained = e.twoRounds() && estimate + e.burst() / 2 < UNEXPLAINED_BELOW * best;
    // Verifying without the round (the log lost its start), the fit is the rate requests went at
    // less 10%, or the round's average: no sign of the limit, and rechecked too. Held, a search's
    // fit of 21.5 a second cut to 18.3, and four workers sat there for about 100 s (0.636 R in
    // the benchmark, 2026-12-02).
    boolean unfitted = p.round() == null;
    if (shared && recheckable && (!e.twoRounds() || unexplained) && (!unfitted || verifying)
        && (bunched || estimate < RECHECK_BELOW * best)) {
      // A shared pace's opening burst is every worker's, and reaches the server spread out (each
      // worker takes its moments one at a time, on a busy machine): its count holds what the
      // bucket refilled meanwhile (36 to 69 for a burst of 10 in the benchmark), and this fit,
      // made with it, lies as far below the server's rate (39.9 a second, where 55 to 63 went
      // through just before). Held, it cost a fifth of the batch (0.82 to 0.84 R). The pace climbs
      // once more instead, to the pace of this 429 over a round far shorter or longer than this
      // one, and the two rounds tell burst from rate: one more pause. So does a holding pace cut
      // after a short round (well over the limit: a fit from a tenth of a second had set it): a
      // burst counted 3 too high lowers a fit over half a second by 6 a second, and held, such a
      // cut kept four workers at 44.8 a second for 84 s (0.884 R, 2026-12-02).
      phase = Phase.RECHECKING;
      double last = unfitted ? 0 : p.round().seconds();
      // A round far shorter when the climb can make one (a round far longer took 20 s below the
      // limit after a verification of 8.6 s), else far longer.
      double fastest = Math.log(ceiling / rate) / Math.log(1 + MOST_VERIFY_PER_SECOND);
      double shorter = Math.max(last / 2.5, fastest);
      // (Never 0 s: from the ceiling itself, without a round, 1 to the power of infinity is NaN.)
      double seconds = shorter > 0 && RECHECK_APART * shorter <= last
          ? shorter : Math.max(VERIFY_SECONDS, 2.5 * last);
      double toCeiling = Math.pow(ceiling / rate, 1 / seconds);
      verify = Math.min(1 + MOST_VERIFY_PER_SECOND, Math.max(1 + VERIFY_PER_SECOND, toCeiling));
      if (bunched || unfitted) {
        // From the floor, or without the round, the pace of this 429 is no sign of the limit (a
        // bunch's 429 can come at any pace): the recheck climbs at least as fast as verification
        // did, and after a second bunch in a row, as fast as verification may. Aimed at that pace
        // instead, it climbed 4% a second, 18 to 23 s below the limit (0.893 and 0.895 R in the
        // benchmark, 2026-12-02).
        verify = Math.max(verify, s.phase() == Phase.RECHECKING ? 1 + MOST_VERIFY_PER_SECOND : s.verifyGrowth());
      }
    }
    return new PaceState(rate, phase, s.round(), s.pausedUntil(), e.burst(), estimate, p.at(), hold, now,
        Long.MIN_VALUE, verify, s.burstRefused(), s.tie());
  }
}

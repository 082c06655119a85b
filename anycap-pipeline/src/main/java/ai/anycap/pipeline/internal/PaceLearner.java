package ai.anycap.pipeline.internal;

import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.internal.PaceState.Phase;
import java.time.Duration;
import java.util.List;

/**
 * Learns a server's rate limit from the answers to one pipeline's generate requests, and keeps
 * what it learned in a {@link PaceStore}: the learning half of {@link RequestPacer}, whose class
 * comment says how and why. The evidence it weighs (when each request went, which got through,
 * how long 429s took to come back) is this worker's own and stays here.
 *
 * <p>A 429 pauses every request at once; what it says about the pace is settled when the pause
 * ends ({@link #settle}), once the other answers of its round are in.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class PaceLearner {

  static final double HOLD_SECONDS = 30;
  static final double MOST_HOLD_SECONDS = 320;
  /** Probing grows the pace this much a second for {@link #PROBE_STEADY_SECONDS} ... */
  static final double PROBE_PER_SECOND = 0.001;
  static final double PROBE_STEADY_SECONDS = 20;
  /** ... then twice as fast every this many seconds without a cut, up to the most. */
  static final double PROBE_DOUBLING_SECONDS = 10;
  static final double MOST_PROBE_PER_SECOND = 0.05;
  static final double VERIFY_PER_SECOND = 0.02;
  /** Verification grows the pace at most this much a second ... */
  private static final double MOST_VERIFY_PER_SECOND = 0.10;
  /** ... so as to reach the highest rate the search's round allows in about this many seconds. */
  private static final double VERIFY_SECONDS = 5;
  static final double SEARCH_GROWTH_PER_SECOND = 4.0;
  private static final double SEARCH_CUT = 0.9;
  private static final double LEAST_CUT = 0.99;
  private static final double MARGIN = 0.99;
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
  /** A 429 while the pace holds steady is believed when another comes within this time. */
  private static final long CONFIRM_NANOS = Duration.ofSeconds(30).toNanos();
  private static final double MIN_RATE = 0.01;
  private static final double REPORT_STEP = 0.01;

  /** A 429 acted upon by a pause; what it says of the pace is settled when the pause ends. */
  private record Pending(long round, long at, Kind kind, long sentBefore, double ceiling, double sent, Round log) {}

  /** What a 429 is taken for. */
  private enum Kind {
    /** The opening burst's. */
    BURST,
    /** Evidence about the rate: the pace was growing, or another came soon before. */
    BELIEVED,
    /** Come while the pace held steady: paused for, but believed only if another comes soon. */
    UNEXPECTED,
    /** The first while unpaced, but not in an opening burst: the pause ends in one. */
    REBURST
  }

  /**
   * What a round that ended in a 429 says: the server's rate (positive infinity when it shows no
   * limit below the pace) and its burst.
   */
  private record Estimate(double rate, double burst) {}

  private final boolean adaptive;
  private final double fixedRate;
  private final long maxPauseNanos;
  private final PaceStore store;

  private final ReturnTimes returns = new ReturnTimes();
  private Pending pending;
  /** The last round whose 429 was believed, for a fit of burst and rate from two rounds. */
  private Round previous;
  /** Whether a 429 already came while unpaced, but not in an opening burst. */
  private boolean refusedUnpaced;
  /** Whether a 429 of the pending round came back late. */
  private boolean pendingLate;
  private final OpeningBurst burst = new OpeningBurst();
  private final AcceptedRate accepted = new AcceptedRate();
  private final RoundLog log = new RoundLog(accepted);
  /** When the last believed 429s came, newest last: three close together lift the floor. */
  private final long[] believedAt = {Long.MIN_VALUE, Long.MIN_VALUE};
  private double latencySeconds;
  private double reported = Double.POSITIVE_INFINITY;
  /** The request whose 429 began the last opening burst's search here: counted there already. */
  private long burstStarter = -1;
  /** The last round whose pause was announced here (with a shared store, others' pauses too). */
  private long roundAnnounced;

  PaceLearner(boolean adaptive, double fixedRate, Duration maxPause, PaceStore store) {
    this.adaptive = adaptive;
    this.fixedRate = fixedRate;
    this.maxPauseNanos = maxPause.toNanos();
    this.store = store;
  }

  /** The pace now, the fixed rate included. */
  double rate() {
    return Math.min(store.current().rate(), fixedRate);
  }

  long pausedUntil() {
    return store.current().pausedUntil();
  }

  /** Nanoseconds of pause left at {@code now}. */
  long pauseLeft(long now) {
    long until = store.current().pausedUntil();
    return now < until ? until - now : 0; // compared first: until starts at Long.MIN_VALUE
  }

  /**
   * How many releases a stalled client may send at once to catch up: half the server's burst, so
   * that the bunch finds tokens enough in a bucket that a pace below its rate keeps full; one
   * under a fixed rate, which is never to be exceeded, or while the burst is unknown.
   */
  long catchUp() {
    PaceState s = store.current();
    if (!(s.rate() < fixedRate) || Double.isNaN(s.burst()) || s.phase() == Phase.UNPACED) {
      return 1;
    }
    return Math.max(1, (long) (s.burst() / 2));
  }

  /**
   * The next {@code count} moments requests may go from a schedule shared with other pipelines,
   * or null (see {@link PaceStore#claim}); {@code backlog} when requests were left waiting at the
   * last release.
   */
  List<PaceStore.Slot> claim(long now, boolean backlog, int count) {
    return store.claim(now, rate(), backlog ? catchUp() : 1, log.sequence(), count);
  }

  /**
   * A moment taken from a shared schedule that a pause (begun after it was taken) overtook: no
   * request goes at it; the requests after it are numbered on.
   */
  void dropped(PaceStore.Slot slot) {
    log.skipped(slot.sequence());
  }

  /**
   * A request goes now, at a moment taken from a schedule shared with other pipelines (null for
   * none): its ticket.
   */
  RequestPacer.Ticket released(long now, PaceStore.Slot slot) {
    PaceState s = store.current();
    log.follow(s, now);
    return new RequestPacer.Ticket(s.round(), log.released(now, slot), now);
  }

  /**
   * With a shared store: a pause another pipeline began, to announce here (the pace, paused), or
   * null when there is none this pipeline has not announced.
   */
  RequestPace followed(long now) {
    if (!store.shared()) {
      return null;
    }
    PaceState s = store.current();
    if (s.round() <= roundAnnounced || now >= s.pausedUntil()) {
      return null;
    }
    roundAnnounced = s.round();
    reported = Math.min(s.rate(), fixedRate);
    return new RequestPace(reported, Duration.ofNanos(s.pausedUntil() - now));
  }

  /**
   * Records an answer; returns the pace to announce, or null.
   *
   * @param waiting whether requests wait for the pace (it only grows then)
   */
  RequestPace answered(RequestPacer.Ticket ticket, Throwable failure, long now, boolean waiting) {
    RequestPace settled = settle(now);
    PaceState s = store.current();
    log.follow(s, now);
    RequestPace changed = null;
    if (failure == null) {
      double took = (now - ticket.sentAt()) / 1e9;
      latencySeconds = latencySeconds == 0 ? took : 0.9 * latencySeconds + 0.1 * took;
      log.accepted(ticket);
      accepted.accepted(ticket.sentAt());
      if (burst.holds(ticket.round())) {
        burst.accepted(ticket.sequence());
        changed = noBurstAfterAll();
      }
      if (changed == null) {
        changed = grow(now, waiting);
      }
    } else {
      boolean limited429 = failure instanceof RateLimitException;
      boolean late = limited429 && returns.late(now, now - ticket.sentAt());
      if (burst.holds(ticket.round())) {
        burst.failed(ticket.sequence(), limited429 ? now - ticket.sentAt() : -1);
      }
      if (pending != null && ticket.round() == pending.round() - 1) {
        pendingLate |= late;
      }
      if (adaptive && failure instanceof RateLimitException limited && ticket.round() == s.round()) {
        changed = refused(now, ticket, limited, late, s);
      }
      if (limited429 && store.shared() && ticket.sequence() != burstStarter) {
        // A 429 for an opening burst that began a search, counted where every pipeline's are. (The
        // state is fresh here: the refusal above read it again if another pipeline had changed it.)
        long searching = ticket.round() + 1;
        store.update(x -> x.round() == searching && x.phase() == Phase.SEARCHING ? x.withBurstRefusal() : x);
      }
    }
    log.answered(ticket, now);
    return changed != null ? changed : settled;
  }

  /**
   * Settles what the last 429 says of the pace, once its pause is over: returns the pace to
   * announce, or null.
   */
  RequestPace settle(long now) {
    PaceState s = store.current();
    if (pending == null || now < s.pausedUntil()) {
      return null;
    }
    Pending p = pending;
    pending = null;
    if (s.round() != p.round()) {
      return null; // another 429 (here, or in another worker sharing the pace) came since
    }
    PaceState next;
    if (p.kind() == Kind.BURST) {
      // The search starts from what the burst got through, that many a second of pause. With a
      // shared store, the other pipelines' 429s for it are counted there: read afresh.
      PaceState written = store.update(x -> {
        if (x.round() != p.round()) {
          return x;
        }
        double counted = burst.counted(store.shared() ? x.burstRefused() : 0);
        return x.withBurst(counted, Math.max(MIN_RATE, counted / burst.pauseSeconds()));
      });
      return written.round() == p.round() && written != s ? announce(written, now, false) : null;
    } else if (pendingLate && s.phase() != Phase.SEARCHING) {
      // A 429 of the round took far longer to come back than 429s do: it waited somewhere (a
      // stalled server, or a stalled client), and what waited with it reached the server in a
      // bunch. It says nothing of the pace. (Only the search, which must end, believes one.)
      return null;
    } else if (p.kind() == Kind.UNEXPECTED) {
      next = s.withUnexpected(p.at());
    } else if (p.kind() == Kind.REBURST) {
      return null; // the pause's end lets the waiting requests go at once: an opening burst
    } else {
      Estimate estimate = estimate(p, s);
      next = cut(s, p, estimate, now);
      if (p.log() != null) {
        previous = p.log();
      }
    }
    PaceState written = store.update(x -> x.round() == p.round() ? next : x);
    return written == next ? announce(written, now, false) : null;
  }

  /** The first 429 of a round: pauses every request, and weighs the round while the log holds it. */
  private RequestPace refused(
      long now, RequestPacer.Ticket ticket, RateLimitException limited, boolean late, PaceState s) {
    long pause = Math.max(0, limited.retryAfter().map(d -> Math.min(d.toNanos(), maxPauseNanos)).orElse(0L));
    long sentBefore = log.sentBefore(ticket);
    double pace = Math.min(s.rate(), fixedRate);
    PaceState next;
    if (s.phase() == Phase.UNPACED && pace == Double.POSITIVE_INFINITY && ticket.sentAt() < log.firstAnswer()) {
      // Refused in the opening burst, before any answer came back: what the burst gets through
      // is what the server lets through at once. The other answers are still coming, out of
      // order; if those sent after this one mostly go through, it was no burst limit after all.
      burst.begin(s.round(), ticket.sequence(), log.sent(), log.acceptedAfter(ticket), Math.max(1.0, pause / 1e9),
          now - ticket.sentAt());
      double start = Math.max(MIN_RATE, Math.max(1, sentBefore) / burst.pauseSeconds());
      next = new PaceState(start, Phase.SEARCHING, s.round() + 1, Math.max(s.pausedUntil(), now + pause),
          burst.counted(), Double.NaN, now, HOLD_SECONDS, Math.max(now, now + pause), Long.MIN_VALUE,
          1 + VERIFY_PER_SECOND, 1);
      pending = new Pending(next.round(), now, Kind.BURST, sentBefore, pace, pace, null);
    } else if (s.phase() == Phase.UNPACED && !refusedUnpaced && pace == Double.POSITIVE_INFINITY) {
      // Refused at an unpaced rate, after the first answers: the burst is unknown. The pause
      // holds every request, and its end lets them go together, an opening burst that shows it.
      refusedUnpaced = true;
      next = s.pausedOnly(now + pause);
      pending = new Pending(next.round(), now, Kind.REBURST, sentBefore, pace, pace, null);
    } else {
      // The pace held below a rate the server let through for a whole round: one 429 could be
      // noise, and is believed when another comes soon.
      boolean believed = s.phase() != Phase.HOLDING || s.probing(now)
          || (s.unexpectedAt() != Long.MIN_VALUE && now - s.unexpectedAt() <= CONFIRM_NANOS);
      Kind kind = believed ? Kind.BELIEVED : Kind.UNEXPECTED;
      double sent = log.sentRate(ticket, Math.max(1.0, 2 * latencySeconds), pace);
      next = s.pausedOnly(now + pause);
      pending = new Pending(next.round(), now, kind, sentBefore, Math.min(pace, 2 * sent), sent, log.upTo(ticket));
    }
    pendingLate = late;
    PaceState written = store.update(x -> x.round() == s.round() ? next : x);
    if (written == next && burst.holds(s.round())) {
      burstStarter = ticket.sequence();
      if (store.sequence() > log.sequence()) {
        // A shared store counted every pipeline's requests up to the pause: the whole burst.
        burst.sentInAll(store.sequence() - log.sequence() + log.sent());
      }
    }
    log.follow(written, now);
    if (written != next) {
      if (burst.holds(s.round())) {
        burst.forget(); // another worker sharing the pace weighs this burst
      }
      pending = null;
      return null;
    }
    roundAnnounced = Math.max(roundAnnounced, next.round());
    RequestPace settled = settle(now); // no Retry-After: nothing to wait for
    RequestPace announced = settled != null ? settled : announce(store.current(), now, true);
    if (burst.holds(s.round())) {
      RequestPace undone = noBurstAfterAll();
      return undone != null ? undone : announced;
    }
    return announced;
  }

  /** The pace a believed 429 leaves: the fitted rate less a margin, within bounds. */
  private PaceState cut(PaceState s, Pending p, Estimate e, long now) {
    double estimate = e.rate();
    // Verifying, a 429 whose fit is above the pace says the round's requests reached the server
    // in a bunch (stalled together, or caught up at once), not where its rate is: verification
    // goes on. Taken for the limit, it ended verification below half the limit (a shared pace
    // held 21/s for a minute, fitted 182: 0.666 R in the benchmark). (Believing a second one
    // within 30 s, at the rate requests went at less 10%, was tried: four workers pacing alone
    // on one account then made 0.505 R, against 0.90 to 0.96 without.)
    if (estimate == Double.POSITIVE_INFINITY || (s.phase() == Phase.VERIFYING && estimate > p.ceiling())) {
      if (s.phase() == Phase.SEARCHING) {
        // Refused before the burst counted at the start could have run out: that count was too
        // high (the opening burst reached the server spread out, and the bucket refilled as it
        // came in). At most what this round got through; the search starts again from there.
        double burst = Math.max(1, p.sentBefore());
        double pauseSeconds = Math.max(1.0, (s.pausedUntil() - p.at()) / 1e9);
        return new PaceState(Math.max(MIN_RATE, burst / pauseSeconds), Phase.SEARCHING, s.round(), s.pausedUntil(),
            burst, s.limit(), s.lastCut(), s.holdSeconds(), now, s.unexpectedAt(), s.verifyGrowth(), s.burstRefused());
      }
      // Nothing here says the server's rate is below the pace: a 429 that no token bucket
      // explains (another client's, or noise) pauses, as asked, but does not slow the pace.
      return s;
    }
    double ceiling = p.ceiling();
    // A long round at the pace says the pace is close to the limit, and cuts little: a 429 after
    // a short one says it is far over it (a limit that moved, or a burst taken for more than it is).
    boolean close = s.phase() == Phase.HOLDING && p.log() != null && p.log().seconds() >= CLOSE_ROUND_SECONDS;
    double floor = Math.max((close ? MOST_CUT : SEARCH_FLOOR) * ceiling,
        ACCEPTED_FLOOR * accepted.bestOverTwoSeconds());
    if (s.phase() == Phase.VERIFYING && !Double.isNaN(s.limit())) {
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
    double rate = Math.max(MIN_RATE, Math.min(ceiling, Math.max(floor, Math.min(LEAST_CUT * ceiling, MARGIN * estimate))));
    Phase phase = s.phase() == Phase.SEARCHING ? Phase.VERIFYING : Phase.HOLDING;
    double hold = HOLD_SECONDS;
    if (s.probing(p.at()) && !Double.isNaN(s.limit()) && estimate >= SAME_LIMIT * s.limit()) {
      hold = Math.min(MOST_HOLD_SECONDS, 2 * s.holdSeconds()); // the limit is where it was: probe less often
    }
    double verify = s.verifyGrowth();
    if (s.phase() == Phase.SEARCHING && p.log() != null) {
      // The burst counted at the start is at most right, so the fitted rate is at least right;
      // a burst of one gives the most the round allows. Verification climbs fast enough to get
      // there in a few seconds: slowly when the two are close (a quiet start), fast when not.
      double most = p.log().mostRate();
      if (most > estimate) {
        verify = Math.max(verify, Math.min(1 + MOST_VERIFY_PER_SECOND, Math.pow(most / estimate, 1 / VERIFY_SECONDS)));
      }
    }
    return new PaceState(rate, phase, s.round(), s.pausedUntil(), e.burst(), estimate, p.at(), hold, now,
        Long.MIN_VALUE, verify, s.burstRefused());
  }

  /**
   * The server's rate and burst as the round shows them: the one token bucket that explains this
   * round and the last believed one, when they differ enough in length to tell burst from rate;
   * otherwise a bucket of the burst known so far (counted in the opening burst: at most right, as
   * the bucket refills while the burst comes in) fitted to this round. Without a burst, the rate
   * requests went at, less 10%: a multiplicative decrease, which the floor of {@link
   * #ACCEPTED_FLOOR} keeps from compounding without end.
   */
  private Estimate estimate(Pending p, PaceState s) {
    double bucket = s.burst();
    Round round = p.log();
    if (round == null) { // the log lost the round's first sends: a long round, where the burst counts little
      double ran = Math.max(0, p.at() - log.start()) / 1e9;
      return Double.isNaN(bucket) || p.sentBefore() <= bucket || ran <= 0
          ? new Estimate(SEARCH_CUT * p.sent(), bucket)
          : new Estimate((p.sentBefore() - bucket) / ran, bucket);
    }
    if (previous != null) {
      double[] both = Round.joint(previous, round, Double.isNaN(bucket) ? Double.POSITIVE_INFINITY : bucket);
      if (both != null && both[1] < p.ceiling()) { // a bucket refilling faster than the pace would not have run dry
        return new Estimate(both[1], both[0]);
      }
    }
    if (Double.isNaN(bucket)) {
      return new Estimate(SEARCH_CUT * p.sent(), bucket);
    }
    if (s.phase() == Phase.SEARCHING && burst.spreadSeconds() > 0) {
      // The opening burst's requests reached the server spread out (new connections, a busy
      // client: its 429s came back over that long), and the bucket refilled as they came in.
      bucket = round.burstFromCount(bucket, burst.spreadSeconds());
    }
    double fitted = round.fittedRate(Math.max(1, bucket));
    return new Estimate(Double.isNaN(fitted) ? Double.POSITIVE_INFINITY : fitted, bucket);
  }

  /** When the opening burst shows no burst limit after all, drops the search: back to unpaced. */
  private RequestPace noBurstAfterAll() {
    if (!burst.noLimitAfterAll()) {
      return null;
    }
    long round = burst.round() + 1;
    // The other pipelines' 429s are counted in the store: decided on its state, read afresh
    // when this one's was stale.
    PaceState s = store.update(x -> x.phase() == Phase.SEARCHING && x.round() == round
        && burst.noLimitAfterAll(store.shared() ? x.burstRefused() : 0) ? x.unpaced() : x);
    if (s.phase() != Phase.UNPACED) {
      return null;
    }
    burst.forget();
    if (pending != null && pending.kind() == Kind.BURST) {
      pending = null;
    }
    reported = Double.POSITIVE_INFINITY;
    return new RequestPace(Math.min(s.rate(), fixedRate), Duration.ZERO);
  }

  /** After a success: grows the pace while requests wait for it. */
  private RequestPace grow(long now, boolean waiting) {
    PaceState s = store.current();
    if (!adaptive || s.phase() == Phase.UNPACED || now <= s.lastGrowth() || pending != null) {
      return null;
    }
    boolean binding = waiting && s.rate() <= fixedRate;
    PaceState next = store.update(x -> now <= x.lastGrowth() ? x : x.withRate(x.rate() * x.growth(now, binding), now));
    double rate = Math.min(next.rate(), fixedRate);
    if (Math.abs(rate - reported) < REPORT_STEP * reported) {
      return null;
    }
    reported = rate;
    return new RequestPace(rate, Duration.ZERO);
  }

  /** The pace to announce now; null when it moved too little to tell, unless a pause began. */
  private RequestPace announce(PaceState s, long now, boolean paused) {
    double rate = Math.min(s.rate(), fixedRate);
    if (!paused && Math.abs(rate - reported) < REPORT_STEP * reported) {
      return null;
    }
    reported = rate;
    return new RequestPace(rate, Duration.ofNanos(paused ? pauseLeft(now) : 0));
  }
}

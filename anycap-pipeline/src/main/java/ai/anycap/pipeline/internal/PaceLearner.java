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
 * ends ({@link #settle}), once the other answers of its round are in. A probe's 429 (the pace
 * grown on purpose past where it held) pauses nothing: the pace is cut at once, and only the
 * refused request waits, as its retry does.
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
  static final double SEARCH_GROWTH_PER_SECOND = 4.0;
  private static final double SEARCH_CUT = 0.9;
  /** A 429 while the pace holds steady is believed when another comes within this time. */
  private static final long CONFIRM_NANOS = Duration.ofSeconds(30).toNanos();
  private static final double REPORT_STEP = 0.01;
  /** A shared pace this far above the most that went through over two seconds believes a late 429. */
  private static final double LATE_BELIEVED_ABOVE = 1.25;
  /** Fewer requests than this before the opening burst's first 429 say nothing of the burst. */
  private static final long FEWEST_BEFORE = 2;
  /**
   * After a pause that a 429 while unpaced began (to make the opening burst it could not tell), a
   * 429 for a request sent this soon after the pause is that burst's, even when answers came back
   * before it was sent: a server that answers at once (the simulator) answers the first requests
   * of the burst before a busy client has sent the rest, whose retries come on over milliseconds.
   */
  private static final long OPENING_NANOS = Duration.ofSeconds(1).toNanos();
  /** How many times a 429 is judged again on a state another worker changed meanwhile. */
  private static final int MOST_REJUDGED = 3;

  /** A 429 acted upon by a pause; what it says of the pace is settled when the pause ends. */
  private record Pending(long round, Kind kind, double sent, PaceCut.Refusal refusal) {}

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

  private final boolean adaptive;
  private final double fixedRate;
  private final long maxPauseNanos;
  private final PaceStore store;

  private final ReturnTimes returns = new ReturnTimes();
  private Pending pending;
  /** Whether a 429 already came while unpaced, but not in an opening burst. */
  private boolean refusedUnpaced;
  /** Whether a 429 of the pending round came back late. */
  private boolean pendingLate;
  private final OpeningBurst burst = new OpeningBurst();
  private final AcceptedRate accepted = new AcceptedRate();
  private final RoundLog log = new RoundLog(accepted);
  private final PaceCut cuts;
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
    this.cuts = new PaceCut(accepted, store.shared());
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
        changed = refused(now, ticket, limited, late, s, MOST_REJUDGED);
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
        return x.withBurst(counted, Math.max(PaceCut.MIN_RATE, counted / burst.pauseSeconds()));
      });
      return written.round() == p.round() && written != s ? announce(written, now, false) : null;
    } else if (pendingLate && s.phase() != Phase.SEARCHING
        && !(store.shared() && s.rate() > LATE_BELIEVED_ABOVE * accepted.bestOverTwoSeconds())) {
      // A 429 of the round took far longer to come back than 429s do: it waited somewhere (a
      // stalled server, or a stalled client), and what waited with it reached the server in a
      // bunch. It says nothing of the pace. (Only the search, which must end, believes one; and a
      // shared pace far above the most that ever went through: where every round has a late 429,
      // four workers sharing a pace held 74.7 a second against a limit of 50, with a pause every
      // 1.5 s: 0.759 R in the model.)
      return null;
    } else if (p.kind() == Kind.UNEXPECTED) {
      next = cuts.unexpected(s, p.refusal().at());
    } else if (p.kind() == Kind.REBURST) {
      return null; // the pause's end lets the waiting requests go at once: an opening burst
    } else {
      PaceState cut = cuts.after(s, p.refusal(), estimate(p, s), now);
      // Kept where every pipeline sharing the pace finds it: the next believed 429 may be another's.
      Round round = p.refusal().round();
      next = round == null ? cut : cut.withTie(store.shared() ? RateTie.Sampled.of(round) : round);
    }
    PaceState written = store.update(x -> x.round() == p.round() ? next : x);
    return written == next ? announce(written, now, false) : null;
  }

  /**
   * The first 429 of a round: pauses every request, and weighs the round while the log holds it.
   * Judged on {@code s}, and again on what another worker sharing the pace wrote meanwhile, up to
   * {@code rejudge} times.
   */
  private RequestPace refused(
      long now, RequestPacer.Ticket ticket, RateLimitException limited, boolean late, PaceState s, int rejudge) {
    boolean unpacedRefusedBefore = refusedUnpaced;
    long pause = Math.max(0, limited.retryAfter().map(d -> Math.min(d.toNanos(), maxPauseNanos)).orElse(0L));
    long sentBefore = log.sentBefore(ticket);
    double pace = Math.min(s.rate(), fixedRate);
    PaceState next;
    boolean probe = s.probing(now) && s.rate() <= fixedRate; // (probing only while holding: the last branch)
    boolean opening = ticket.sentAt() < log.firstAnswer()
        || (refusedUnpaced && ticket.sentAt() - log.start() < OPENING_NANOS);
    if (s.phase() == Phase.UNPACED && pace == Double.POSITIVE_INFINITY && opening) {
      // Refused in the opening burst (before any answer came back, or in the first second after
      // a pause begun to make one): what the burst gets through is what the server lets through
      // at once. The other answers are still coming, out of order; if those sent after this one
      // mostly go through, it was no burst limit after all. Taken for a 429 of a steady flow, the
      // burst after the pause paused unpaced again and again (a round 10 ms long tells no rate),
      // three times in a CLI run against the simulator, and a job ran out of attempts.
      // (Without the pause first, a burst that reached the server spread out over a second is
      // counted whole, high: the model's one pipeline lost 0.04 R.)
      burst.begin(s.round(), ticket.sequence(), log.sent(), log.acceptedAfter(ticket), Math.max(1.0, pause / 1e9),
          now - ticket.sentAt());
      // The search starts from the burst's count a second of pause, settled when the pause ends;
      // until then, from the requests sent before this one, unless it was among the first sent
      // (it reached the server last): workers sharing the pace may take moments at this pace
      // before the settling, and from none sent before, four took a dozen moments a second apart,
      // and nothing else went for 12 s (0.826 R in the benchmark, 2026-12-02).
      double before = sentBefore < FEWEST_BEFORE ? burst.counted() : sentBefore;
      double start = Math.max(PaceCut.MIN_RATE, before / burst.pauseSeconds());
      next = new PaceState(start, Phase.SEARCHING, s.round() + 1, Math.max(s.pausedUntil(), now + pause),
          burst.counted(), Double.NaN, now, HOLD_SECONDS, Math.max(now, now + pause), Long.MIN_VALUE,
          1 + PaceCut.VERIFY_PER_SECOND, 1, s.tie());
      pending = new Pending(next.round(), Kind.BURST, pace, new PaceCut.Refusal(now, pace, sentBefore, null));
    } else if (s.phase() == Phase.UNPACED && !refusedUnpaced && pace == Double.POSITIVE_INFINITY) {
      // Refused at an unpaced rate, after the first answers: the burst is unknown. The pause
      // holds every request, and its end lets them go together, an opening burst that shows it.
      refusedUnpaced = true;
      next = s.pausedOnly(now + pause);
      pending = new Pending(next.round(), Kind.REBURST, pace, new PaceCut.Refusal(now, pace, sentBefore, null));
    } else {
      // The pace held below a rate the server let through for a whole round, or at the rate the
      // user gave as the account's quota before anything was learned: one 429 could be noise (a
      // bunch the network or a stalled server made), and is believed when another comes soon.
      // A probe's 429 (the pace grown past where it held, on purpose, below any quota the user
      // gave) is the one the probe looked for: the pace is cut back to the round's fit at once,
      // and only the refused request waits out its Retry-After, as every retry does. A pause of
      // every request for it cost a second of a batch each probe (the figures: the pacer's class
      // comment, "What changed").
      boolean steady = (s.phase() == Phase.HOLDING && !s.probing(now))
          || (s.phase() == Phase.UNPACED && fixedRate < Double.POSITIVE_INFINITY && pace == fixedRate);
      boolean believed = !steady
          || (s.unexpectedAt() != Long.MIN_VALUE && now - s.unexpectedAt() <= CONFIRM_NANOS);
      Kind kind = believed ? Kind.BELIEVED : Kind.UNEXPECTED;
      double sent = log.sentRate(ticket, Math.max(1.0, 2 * latencySeconds), pace);
      next = s.pausedOnly(probe ? now : now + pause);
      pending = new Pending(next.round(), kind, sent,
          new PaceCut.Refusal(now, Math.min(pace, 2 * sent), sentBefore, log.upTo(ticket)));
    }
    pendingLate = late;
    // Judged on the state as this worker last read it: when another worker sharing the pace changed
    // it since, within the round (the search's 429 settled, say), judged again on what it wrote.
    // Written over it, a 429 of a request sent at the pace before the change undid the change: a
    // search's fit went back to searching at 245 a second, twice, and the opening took 16 s (2026-12-02).
    PaceState written = store.update(x -> x.round() != s.round() || (rejudge > 0 && !x.equals(s)) ? x : next);
    if (written != next && written.round() == s.round() && rejudge > 0) {
      if (burst.holds(s.round())) {
        burst.forget();
      }
      pending = null;
      refusedUnpaced = unpacedRefusedBefore;
      return refused(now, ticket, limited, late, written, rejudge - 1);
    }
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
    RequestPace settled = settle(now); // no pause (no Retry-After, or a probe's): settled at once
    RequestPace announced = settled != null ? settled : announce(store.current(), now, !probe);
    if (burst.holds(s.round())) {
      RequestPace undone = noBurstAfterAll();
      return undone != null ? undone : announced;
    }
    return announced;
  }

  /**
   * The server's rate and burst as the round shows them: the one token bucket that explains this
   * round and the last believed one, when they differ enough in length to tell burst from rate;
   * otherwise a bucket of the burst known so far (counted in the opening burst: at most right, as
   * the bucket refills while the burst comes in) fitted to this round. Without a burst, the rate
   * requests went at, less 10%: a multiplicative decrease, which {@link PaceCut}'s floor of half
   * the best two seconds keeps from compounding without end.
   */
  private PaceCut.Estimate estimate(Pending p, PaceState s) {
    double bucket = s.burst();
    PaceCut.Refusal r = p.refusal();
    Round round = r.round();
    if (round == null) { // the log lost the round's first sends: a long round, where the burst counts little
      double ran = Math.max(0, r.at() - log.start()) / 1e9;
      return Double.isNaN(bucket) || r.sentBefore() <= bucket || ran <= 0
          ? new PaceCut.Estimate(SEARCH_CUT * p.sent(), bucket, false)
          : new PaceCut.Estimate((r.sentBefore() - bucket) / ran, bucket, false);
    }
    if (s.tie() != null) {
      double[] both = Round.joint(s.tie(), round, Double.isNaN(bucket) ? Double.POSITIVE_INFINITY : bucket);
      if (both != null && both[1] < r.ceiling()) { // a bucket refilling faster than the pace would not have run dry
        return new PaceCut.Estimate(both[1], both[0], true);
      }
    }
    if (Double.isNaN(bucket)) {
      return new PaceCut.Estimate(SEARCH_CUT * p.sent(), bucket, false);
    }
    if (s.phase() == Phase.SEARCHING && burst.spreadSeconds() > 0) {
      // The opening burst's requests reached the server spread out (new connections, a busy
      // client: its 429s came back over that long), and the bucket refilled as they came in.
      bucket = round.burstFromCount(bucket, burst.spreadSeconds());
    }
    double fitted = round.fittedRate(Math.max(1, bucket));
    return new PaceCut.Estimate(Double.isNaN(fitted) ? Double.POSITIVE_INFINITY : fitted, bucket, false);
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

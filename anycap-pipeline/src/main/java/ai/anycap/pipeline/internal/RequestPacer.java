package ai.anycap.pipeline.internal;

import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.RequestPace;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Lets a pipeline's generate requests go one at a time, at a pace that a rate-limited server
 * accepts, and holds them all while the server has asked for a pause.
 *
 * <p>Every generate request of every job waits in one first-in-first-out queue; the head goes
 * when no pause is running and the pace allows it. Checking at that moment, rather than when a
 * job starts waiting, means no request slips out during a pause, and requests come out of a pause
 * spaced at the pace instead of all at once.
 *
 * <p><b>Adaptive control</b> is AIMD on the rate of requests, as AWS SDK v2's adaptive retry mode
 * does it, rather than on the number in flight: by Little's law requests in flight are rate times
 * latency, so a slower pace means fewer in flight too, whereas a halved concurrency limit caps
 * throughput at limit / latency, which for image generation (seconds per image) can lie far below
 * what the server allows. We did not take the SRE book's client-side throttle: it rejects
 * requests locally, and a batch would rather wait than fail. The controller:
 *
 * <ol>
 *   <li>Sends unpaced (only the pipeline's concurrency bounds it) until the first 429.
 *   <li>Acts on the first 429 of a round only: later ones answer requests that were already on
 *       their way. It pauses every request for the {@code Retry-After} (capped), and cuts the
 *       pace (the multiplicative decrease):
 *       <ul>
 *         <li>Refused in the opening burst, before any answer came back: the requests sent
 *             before it that get through are the server's burst {@code B}. The pace starts at
 *             {@code B} per second of pause and grows fourfold a second (the search) until the
 *             next 429. If the requests sent after the refused one mostly get through, it was no
 *             burst limit, and the pipeline goes back to unpaced.
 *         <li>With {@code B} known, the pace becomes 99% of the rate of a token bucket of {@code
 *             B} tokens that, full when the round began (the pause refilled it), would have let
 *             through every request sent in the round and none more: the model behind most API
 *             rate limiters, fitted to the requests actually sent, so the estimate does not
 *             depend on how the pace moved, and the cut is as small as the evidence allows (at
 *             least 1%, at most 15% once the search is over). A 429 no such bucket explains
 *             (refused before the burst could have run out) pauses, but cuts nothing. Two rounds
 *             at a steady pace give the burst and the rate together ({@code sent = B + R *
 *             length} for each), which corrects the burst counted at the start: requests reach a
 *             real server out of order, so that count is only about right.
 *         <li>Without {@code B} (the limit was first met at a steady pace), the pace becomes 90%
 *             of the rate requests went at.
 *       </ul>
 *       The pace never falls below half the best rate the server has let requests through at
 *       over two seconds: 429s that slowing down does not stop (a server refusing some requests
 *       whatever the pace) could otherwise push it towards zero one small cut at a time.
 *   <li>Additive increase: right after the search the pace grows by {@value #VERIFY_PER_SECOND}
 *       of itself a second until the next 429, so that an estimate from a short search that came
 *       out low is corrected within seconds; after that, once {@value #HOLD_SECONDS} seconds have
 *       passed without a 429, by {@value #PROBE_PER_SECOND} a second (6% a minute), to learn
 *       whether the server now allows more. The pace only grows while requests wait for it.
 * </ol>
 *
 * <p>Each 429 costs a pause of every request, a whole second at least as {@code Retry-After}
 * counts in seconds, so the controller aims just below the limit and probes slowly: 429s are
 * rare events, not the signal it steers by. On virtual time against the simulator's token bucket
 * (R = 50/s, burst 10, 100 ms latency, 3,000 jobs) it reaches 0.93 R with 2% of requests answered
 * 429, where a fixed concurrency of 64 reaches 0.95 R with 30% (retrying every 100 ms) or 0.70 R
 * with 13% (backing off from 1 s); anycap-bench measures 0.91 to 0.93 R with under 2% in real
 * time. A fixed rate from the builder caps the pace.
 *
 * <p>Thread-safe. Time and timers come from the constructor, so tests can run it on virtual time.
 */
public final class RequestPacer {

  static final double HOLD_SECONDS = 20;
  static final double PROBE_PER_SECOND = 0.001;
  private static final double SEARCH_GROWTH_PER_SECOND = 4.0;
  static final double VERIFY_PER_SECOND = 0.02;
  private static final double SEARCH_CUT = 0.9;
  private static final double LEAST_CUT = 0.99;
  private static final double MARGIN = 0.99;
  private static final double MOST_CUT = 0.85;
  private static final double SEARCH_FLOOR = 0.25;
  /** See the class comment; two seconds of a token bucket let through at most R + B / 2. */
  private static final double ACCEPTED_FLOOR = 0.5;
  private static final double MIN_RATE = 0.01;
  private static final double REPORT_STEP = 0.01;
  private static final long SECOND = 1_000_000_000L;

  /** Schedules a task after a delay in nanoseconds. */
  @FunctionalInterface
  public interface Timer {
    void schedule(Runnable task, long delayNanos);

    static Timer of(ScheduledExecutorService scheduler) {
      return (task, delay) -> scheduler.schedule(task, delay, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * A request let go: the round of adjustments it was sent in, its place in the order of sending,
   * and when it went.
   */
  public record Ticket(long round, long sequence, long sentAt) {}

  private enum Phase {
    UNPACED,
    SEARCHING,
    VERIFYING,
    HOLDING
  }


  private final boolean adaptive;
  private final double fixedRate;
  private final long maxPauseNanos;
  private final LongSupplier clock;
  private final Timer timer;
  private final Consumer<RequestPace> onChange;

  private final ArrayDeque<CompletableFuture<Ticket>> waiting = new ArrayDeque<>();
  private final SendLog sends = new SendLog(16_384);
  private Phase phase = Phase.UNPACED;
  private double learned = Double.POSITIVE_INFINITY;
  /** How many requests the server lets through at once, once known. */
  private double burst = Double.NaN;
  /** The last round at a steady pace that ended in a 429: its length in seconds and its requests. */
  private double steadySeconds = Double.NaN;
  private double steadySent;
  private long burstRound = -1;
  private long firstAnswerThisRound = Long.MAX_VALUE;
  /** Answers to requests of the opening burst sent after its first refused one. */
  private long burstLateAccepted;
  private long burstLateRefused;
  private long burstCutoffSequence;
  /** Successes by the second they were sent in: this second and the one before. */
  private long acceptedSecond = Long.MIN_VALUE;
  private int acceptedThisSecond;
  private int acceptedSecondBefore;
  /** The most requests a second the server has let through, over two seconds. */
  private double bestAccepted;
  private long pausedUntil;
  private long nextRelease;
  private long wakeAt = Long.MAX_VALUE;
  private long round;
  private long roundStart = Long.MIN_VALUE;
  private long roundFirstSequence = 1;
  private long sequence;
  private long lastCut;
  private long lastGrowth;
  private double reported = Double.POSITIVE_INFINITY;
  private double latencySeconds;

  /**
   * @param adaptive whether 429s set the pace and pause every request
   * @param fixedRate requests a second never to exceed; positive infinity for none
   * @param maxPause the longest {@code Retry-After} honoured as a pause
   * @param clock monotonic nanoseconds, as {@link System#nanoTime()}
   * @param onChange told of each new pace or pause, outside any lock
   */
  public RequestPacer(
      boolean adaptive, double fixedRate, Duration maxPause, LongSupplier clock, Timer timer,
      Consumer<RequestPace> onChange) {
    if (!(fixedRate > 0)) {
      throw new IllegalArgumentException("fixedRate must be positive, got " + fixedRate);
    }
    this.adaptive = adaptive;
    this.fixedRate = fixedRate;
    this.maxPauseNanos = maxPause.toNanos();
    this.clock = clock;
    this.timer = timer;
    this.onChange = onChange;
  }

  /** Completes when the request may be sent. */
  public CompletableFuture<Ticket> beforeRequest() {
    CompletableFuture<Ticket> turn = new CompletableFuture<>();
    synchronized (this) {
      waiting.add(turn);
    }
    pump();
    return turn;
  }

  /** Records how the request went, adapting the pace to a 429. */
  public void afterRequest(Ticket ticket, Throwable failure) {
    RequestPace changed = null;
    synchronized (this) {
      long now = clock.getAsLong();
      if (failure == null) {
        double took = (now - ticket.sentAt()) / 1e9;
        latencySeconds = latencySeconds == 0 ? took : 0.9 * latencySeconds + 0.1 * took;
        if (ticket.round() == round) {
          sends.accept(ticket.sequence());
        }
        countAccepted(ticket.sentAt());
        if (ticket.round() == burstRound) {
          if (ticket.sequence() < burstCutoffSequence) {
            burst++; // answers to the opening burst come after its first 429: an image takes longer
          } else {
            burstLateAccepted++;
            changed = noBurstAfterAll();
          }
        }
        if (changed == null) {
          changed = grow(now);
        }
      } else if (adaptive && failure instanceof RateLimitException limited && ticket.round() == round) {
        changed = cut(now, ticket, limited);
      } else if (failure instanceof RateLimitException && ticket.round() == burstRound
          && ticket.sequence() > burstCutoffSequence) {
        burstLateRefused++;
      }
      if (ticket.round() == round) {
        firstAnswerThisRound = Math.min(firstAnswerThisRound, now);
      }
    }
    if (changed != null) {
      onChange.accept(changed);
    }
    pump();
  }

  /** The pace and pause now. */
  public synchronized RequestPace pace() {
    long now = clock.getAsLong();
    return new RequestPace(effectiveRate(), Duration.ofNanos(Math.max(0, pausedUntil - now)));
  }

  /** Fails every waiting request, for shutdown. */
  public void cancelWaiters(RuntimeException cause) {
    List<CompletableFuture<Ticket>> failed;
    synchronized (this) {
      failed = new ArrayList<>(waiting);
      waiting.clear();
    }
    failed.forEach(w -> w.completeExceptionally(cause));
  }

  private void pump() {
    List<CompletableFuture<Ticket>> go = new ArrayList<>();
    List<Ticket> tickets = new ArrayList<>();
    long wake = -1;
    synchronized (this) {
      long now = clock.getAsLong();
      while (!waiting.isEmpty()) {
        if (waiting.peek().isDone()) { // cancelled while waiting
          waiting.poll();
          continue;
        }
        if (now < pausedUntil) {
          wake = pausedUntil;
          break;
        }
        double rate = effectiveRate();
        if (rate != Double.POSITIVE_INFINITY && now < nextRelease) {
          wake = nextRelease;
          break;
        }
        if (rate != Double.POSITIVE_INFINITY) {
          long interval = (long) (SECOND / rate);
          // Late timers may catch up by one interval, never more: no bursts after idle time.
          nextRelease = Math.max(nextRelease, now - interval) + interval;
        }
        if (roundStart == Long.MIN_VALUE) {
          roundStart = now;
        }
        sequence++;
        sends.add(sequence, now);
        go.add(waiting.poll());
        tickets.add(new Ticket(round, sequence, now));
      }
      if (wake >= 0 && wake < wakeAt) {
        wakeAt = wake;
      } else {
        wake = -1;
      }
      if (wake >= 0) {
        long at = wake;
        timer.schedule(() -> {
          synchronized (this) {
            if (wakeAt == at) {
              wakeAt = Long.MAX_VALUE;
            }
          }
          pump();
        }, Math.max(0, wake - now));
      }
    }
    for (int i = 0; i < go.size(); i++) {
      go.get(i).complete(tickets.get(i));
    }
  }

  private double effectiveRate() {
    return Math.min(learned, fixedRate);
  }

  /** Called with the lock held, for the first 429 of a round. */
  private RequestPace cut(long now, Ticket ticket, RateLimitException limited) {
    long pause = Math.max(0, limited.retryAfter().map(d -> Math.min(d.toNanos(), maxPauseNanos)).orElse(0L));
    long sentBefore = ticket.sequence() - roundFirstSequence;
    double ran = Math.max(0, ticket.sentAt() - roundStart) / 1e9;
    double pace = effectiveRate();
    if (phase == Phase.UNPACED && pace == Double.POSITIVE_INFINITY && ticket.sentAt() < firstAnswerThisRound) {
      // Refused in the opening burst, before any answer came back: what gets through it is what
      // the server lets through at once. Those answers are still coming; they are counted as they
      // do, and if those sent after the refused one go through, it was no burst limit after all.
      burst = sends.acceptedAround(ticket.sequence(), false);
      burstLateAccepted = sends.acceptedAround(ticket.sequence(), true);
      burstLateRefused = 0;
      burstRound = round;
      burstCutoffSequence = ticket.sequence();
      learned = Math.max(MIN_RATE, Math.max(1, sentBefore) / Math.max(1.0, pause / 1e9));
      phase = Phase.SEARCHING;
      noBurstAfterAll();
    } else {
      double sent = sentRate(ticket, Math.max(1.0, 2 * latencySeconds));
      double ceiling = Math.min(pace, 2 * sent);
      double estimate = estimateRate(ticket, sentBefore, ran, sent);
      if (estimate != Double.POSITIVE_INFINITY) {
        double floor = Math.max((phase == Phase.SEARCHING ? SEARCH_FLOOR : MOST_CUT) * ceiling,
            ACCEPTED_FLOOR * bestAccepted);
        learned = Math.max(MIN_RATE, Math.min(ceiling, Math.max(floor, Math.min(LEAST_CUT * ceiling, MARGIN * estimate))));
        phase = phase == Phase.SEARCHING ? Phase.VERIFYING : Phase.HOLDING;
      }
      // Otherwise nothing here says the server's rate is below the pace: a 429 that no token
      // bucket explains (another client's, or noise) pauses, as asked, but does not slow the pace.
    }
    round++;
    firstAnswerThisRound = Long.MAX_VALUE;
    if (pause > 0) {
      pausedUntil = Math.max(pausedUntil, now + pause);
    }
    roundStart = Math.max(now, pausedUntil);
    roundFirstSequence = sequence + 1;
    nextRelease = Math.max(nextRelease, roundStart);
    sends.clear();
    lastCut = now;
    lastGrowth = roundStart;
    reported = effectiveRate();
    return new RequestPace(reported, Duration.ofNanos(Math.max(0, pausedUntil - now)));
  }

  /**
   * The server's rate as this round shows it, or positive infinity when it shows no limit below
   * the pace. With the burst known (from the opening burst), a token bucket is fitted to the
   * round. Without it, the rate requests went at, less 10%: a multiplicative decrease, which the
   * floor of {@link #ACCEPTED_FLOOR} keeps from compounding without end.
   */
  private double estimateRate(Ticket ticket, long sentBefore, double ran, double sent) {
    if (phase == Phase.HOLDING) {
      // Two rounds at a steady pace, each from a full bucket to an empty one, give both unknowns:
      // sent = burst + rate * length for each. The opening burst's count is only about right
      // (requests reach the server out of order), and this corrects it.
      double previousSeconds = steadySeconds;
      double previousSent = steadySent;
      steadySeconds = ran;
      steadySent = sentBefore;
      if (!Double.isNaN(previousSeconds) && Math.abs(previousSeconds - ran) > 0.2 * Math.max(previousSeconds, ran)) {
        double rate = (previousSent - sentBefore) / (previousSeconds - ran);
        double atOnce = sentBefore - rate * ran;
        if (rate > 0 && atOnce >= 1 && rate < effectiveRate()) {
          burst = atOnce;
          return rate;
        }
      }
    }
    if (Double.isNaN(burst)) {
      return SEARCH_CUT * sent;
    }
    double fitted = bucketRate(ticket, sentBefore, ran);
    return Double.isNaN(fitted) ? Double.POSITIVE_INFINITY : fitted;
  }

  /**
   * The refill rate of a token bucket of {@link #burst} tokens, full when the round began, that
   * let through every request of the round sent before the rejected one and was empty for it;
   * NaN when no rate fits. The rate is found by bisection between the lowest rate that lets all
   * the earlier requests through and the lowest that would have let the rejected one through too.
   */
  private double bucketRate(Ticket rejected, long sentBefore, double ran) {
    if (!sends.holdsFrom(roundFirstSequence)) { // the log lost the round's first sends
      return ran > 0 && sentBefore > burst ? (sentBefore - burst) / ran : Double.NaN;
    }
    double burst = Math.max(1, this.burst);
    if (sends.bucketAdmits(roundStart, burst, 0, rejected.sequence(), rejected.sentAt()) == BucketFit.LAST_TOO) {
      return Double.NaN; // the bucket would still have held a token: its burst did not run out
    }
    double low = 0;
    double high = 1;
    while (sends.bucketAdmits(roundStart, burst, high, rejected.sequence(), rejected.sentAt()) != BucketFit.LAST_TOO) {
      high *= 2;
      if (high > 1e7) {
        return Double.NaN;
      }
    }
    for (int i = 0; i < 40; i++) {
      double mid = (low + high) / 2;
      if (sends.bucketAdmits(roundStart, burst, mid, rejected.sequence(), rejected.sentAt()) == BucketFit.LAST_TOO) {
        high = mid;
      } else {
        low = mid;
      }
    }
    return high;
  }

  private enum BucketFit {
    EARLIER_REJECTED,
    LAST_REJECTED,
    LAST_TOO
  }

  /** Requests a second sent in the window before the ticket's request, within its round. */
  private double sentRate(Ticket ticket, double windowSeconds) {
    long from = Math.max(roundStart, ticket.sentAt() - (long) (windowSeconds * SECOND));
    double span = (ticket.sentAt() - from) / 1e9;
    if (span < 0.05) {
      return effectiveRate();
    }
    return sends.countBetween(from, ticket.sentAt()) / span;
  }

  /**
   * Called with the lock held as answers to the opening burst come in. A server that limits
   * bursts refuses every request after the first it refuses; when those after it mostly went
   * through, the refusal was not a burst limit (another client, or chance), and the search it
   * started is dropped: back to unpaced, as before it.
   */
  private RequestPace noBurstAfterAll() {
    if (phase != Phase.SEARCHING || burstLateAccepted <= burstLateRefused + 1) {
      return null;
    }
    phase = Phase.UNPACED;
    learned = Double.POSITIVE_INFINITY;
    burst = Double.NaN;
    burstRound = -1;
    reported = effectiveRate();
    return new RequestPace(reported, Duration.ZERO);
  }

  /**
   * Counts a request that went through by the second it was sent in (when the server let it
   * through, give or take the way there), so that late answers do not inflate the rate.
   */
  private void countAccepted(long sentAt) {
    long second = Math.floorDiv(sentAt, SECOND);
    if (second > acceptedSecond) {
      acceptedSecondBefore = second == acceptedSecond + 1 ? acceptedThisSecond : 0;
      acceptedThisSecond = 0;
      acceptedSecond = second;
    }
    if (second == acceptedSecond) {
      acceptedThisSecond++;
    } else if (second == acceptedSecond - 1) {
      acceptedSecondBefore++;
    }
    bestAccepted = Math.max(bestAccepted, (acceptedThisSecond + acceptedSecondBefore) / 2.0);
  }

  /** Called with the lock held after a success: grows the pace while requests wait for it. */
  private RequestPace grow(long now) {
    if (!adaptive || phase == Phase.UNPACED || now <= lastGrowth) {
      return null;
    }
    boolean binding = !waiting.isEmpty() && learned <= fixedRate;
    double seconds = (now - lastGrowth) / 1e9;
    lastGrowth = now;
    if (!binding) {
      return null;
    }
    if (phase == Phase.SEARCHING) {
      learned *= Math.pow(SEARCH_GROWTH_PER_SECOND, seconds);
    } else if (phase == Phase.VERIFYING) {
      learned *= Math.pow(1 + VERIFY_PER_SECOND, seconds);
    } else if ((now - lastCut) / 1e9 > HOLD_SECONDS) {
      learned *= Math.pow(1 + PROBE_PER_SECOND, seconds);
    } else {
      return null;
    }
    double rate = effectiveRate();
    if (Math.abs(rate - reported) < REPORT_STEP * reported) {
      return null;
    }
    reported = rate;
    return new RequestPace(rate, Duration.ZERO);
  }

  /**
   * The requests of the current round, the most recent {@code capacity} of them: when each was
   * sent, by its sequence number, and whether it went through.
   */
  private static final class SendLog {
    private final long[] times;
    private final boolean[] accepted;
    private int start;
    private int size;
    private long firstSequence;

    SendLog(int capacity) {
      times = new long[capacity];
      accepted = new boolean[capacity];
    }

    void add(long sequence, long t) {
      if (size == 0) {
        firstSequence = sequence;
      }
      if (size == times.length) {
        start = (start + 1) % times.length;
        size--;
        firstSequence++;
      }
      int at = (start + size) % times.length;
      times[at] = t;
      accepted[at] = false;
      size++;
    }

    void clear() {
      start = 0;
      size = 0;
    }

    /** Whether the log still holds every request of the round from {@code sequence} on. */
    boolean holdsFrom(long sequence) {
      return size > 0 && firstSequence <= sequence;
    }

    void accept(long sequence) {
      long i = sequence - firstSequence;
      if (i >= 0 && i < size) {
        accepted[(int) ((start + i) % times.length)] = true;
      }
    }

    /** Requests that went through, sent before ({@code after} false) or after the given one. */
    int acceptedAround(long sequence, boolean after) {
      int n = 0;
      for (int i = 0; i < size; i++) {
        long seq = firstSequence + i;
        if ((after ? seq > sequence : seq < sequence) && accepted[(start + i) % times.length]) {
          n++;
        }
      }
      return n;
    }

    /**
     * Replays the requests sent before {@code last} through a token bucket of {@code burst}
     * tokens, full at {@code from}, refilled at {@code rate} a second, and asks it about {@code
     * last}, sent at {@code lastAt}.
     */
    BucketFit bucketAdmits(long from, double burst, double rate, long last, long lastAt) {
      double tokens = burst;
      long at = from;
      for (int i = 0; i < size && firstSequence + i < last; i++) {
        long t = times[(start + i) % times.length];
        tokens = Math.min(burst, tokens + Math.max(0, t - at) / 1e9 * rate);
        at = Math.max(at, t);
        if (tokens < 1) {
          return BucketFit.EARLIER_REJECTED;
        }
        tokens -= 1;
      }
      tokens = Math.min(burst, tokens + Math.max(0, lastAt - at) / 1e9 * rate);
      return tokens >= 1 ? BucketFit.LAST_TOO : BucketFit.LAST_REJECTED;
    }

    /** Requests sent in [from, to). */
    int countBetween(long from, long to) {
      int n = 0;
      for (int i = size - 1; i >= 0; i--) {
        long t = times[(start + i) % times.length];
        if (t < from) {
          break;
        }
        if (t < to) {
          n++;
        }
      }
      return n;
    }
  }
}

package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.SharedPace;
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
 * spaced at the pace instead of all at once. Releases a stalled client held up (its timer thread
 * ran late while requests waited) are caught up, at most half the server's burst at once, which a
 * bucket kept full by a pace below its rate lets through; after idle time, none are.
 *
 * <p><b>Adaptive control</b> is AIMD on the rate of requests, as AWS SDK v2's adaptive retry mode
 * does it, rather than on the number in flight: by Little's law requests in flight are rate times
 * latency, so a slower pace means fewer in flight too, whereas a halved concurrency limit caps
 * throughput at limit / latency, which for image generation (seconds per image) can lie far below
 * what the server allows. We did not take the SRE book's client-side throttle: it rejects
 * requests locally, and a batch would rather wait than fail. {@link PaceLearner} does the
 * learning, into a {@link PaceState} kept in a {@link PaceStore} (here, in this process; one
 * shared by workers on one account could live in Redis):
 *
 * <ol>
 *   <li>Sends unpaced (only the pipeline's concurrency bounds it) until the first 429. Every 429
 *       that is the first of its round (but a probe's, item 4) pauses every request for its {@code
 *       Retry-After} (capped); what it says about the pace is settled when the pause ends, once the
 *       other answers of the round are in.
 *   <li>A 429 in the opening burst (before any answer came back): the burst got through what the
 *       server lets through at once, {@code B}, counted as the burst's requests less those
 *       refused ({@link OpeningBurst}). The search starts at {@code B} a second of pause and grows
 *       fourfold a second until the next 429. If the requests sent after the refused one mostly
 *       get through, it was no burst limit, and the pipeline goes back to unpaced.
 *   <li>The rate is the refill rate of a token bucket that, full when the round began (the pause
 *       refilled it), lets through every request sent in the round and refuses the last ({@link
 *       Round}): the model behind most API rate limiters, fitted to the requests actually sent, so
 *       the estimate does not depend on how the pace moved. Two rounds of different lengths give
 *       the burst and the rate together; one gives the rate for the burst known so far. The pace
 *       becomes 99% of it; verification then grows the pace until the next 429 confirms it. A fit
 *       that confirms the last (within 2%, from verification or a probe) is held as it is, not 1%
 *       below: that margin cost 1% of every batch. The first 429 at such a pace steps it down to
 *       the margin (both fits were a hair high), believed or not.
 *   <li>Holding: a 429 while the pace holds steady (or sends at the quota the user gave, before
 *       anything was learned) is paused for but believed only when another comes within 30 s; a 429 that came back far later than 429s do is not believed at all
 *       (outside the search). After 30 s without a cut the pace probes for more, 0.1% of itself a
 *       second for 20 s, then twice as fast every 10 s without a cut, up to 5% a second (as
 *       CUBIC's convex probe): near the limit a probe finds it within the steady 20 s, as before;
 *       a pace held far below it (a fit from a bunched round, or a limit that rose) is no longer
 *       stuck there. A probe's 429 pauses nothing: the pace is cut to the round's fit at once, and
 *       only the refused request waits out its {@code Retry-After} (as its retry does). A probe
 *       that finds the limit where it was doubles the hold before the next (up to 320 s). The
 *       pace only grows while requests wait for it.
 *   <li>Floors: never below half the best rate the server let through over two seconds (without
 *       it, FaultStormTest's random refusals drove the pace to ~0), nor below 98% of the best it
 *       let through over ten seconds of the last minute unless believed 429s come thick and fast
 *       (the limit moved).
 * </ol>
 *
 * <p><b>What changed for noise, and why.</b> The first design (a burst counted by sequence, one
 * round's fit trusted, every 429 a cut) held on a quiet machine (0.93 R in the benchmark) and fell
 * to 0.815 R with 14 pauses and a pace as low as 2/s on a busy one. {@code PacedBatchModel} on
 * virtual time, with the noise of a real run added (answers late and out of order, stalls of the
 * client's timers, of its I/O and of the server, an opening burst that reaches the server spread
 * out), showed why, and each change answers one cause (R = 50/s, burst 10, 6,000 jobs, C = 64;
 * goodput over R, before and after):
 *
 * <ul>
 *   <li>Requests that reach the server out of order made the burst, counted as successes sent
 *       before the first refusal, come out low, the fitted rate high, and four more pauses
 *       followed to come back down: now counted from refusals. Up to 10 ms on the way: 0.935 R,
 *       8 pauses, before; 0.962 R, 4 pauses, after.
 *   <li>An opening burst that reaches the server spread out (64 new connections on a busy
 *       machine: in a real run its first 429 came back after 4.5 s) lets more through than the
 *       burst, as the bucket refills meanwhile; the first fit then came out at half the rate, and
 *       2% a second took half a minute to climb back. Now the count is corrected by how spread out
 *       the burst's 429s came back, two rounds give burst and rate together, and verification
 *       climbs as fast as the uncertainty of the first fit asks (2% to 10% a second); a search
 *       round that refutes the count restarts the search from what it got through. Spread over
 *       1 s with log-normal latency: 0.880 R, 20 pauses, before; 0.949 R, 7 pauses, after.
 *   <li>A stalled server (or a stalled client's I/O) lets requests through in a bunch, and a bunch
 *       larger than the bucket is refused whatever the pace; the fit, from send times, then took
 *       the bunch for a lower rate, cut by it each time, and the pace slid to the floor. Now a
 *       429 while holding needs a second within 30 s, a late one (a stall's mark) cuts nothing,
 *       and the pace stays above what the server demonstrably let through. Stalls of 300 ms every
 *       5 s at the server: 0.522 R, pace down to 25.8/s, before; 0.756 R, pace at least 44.9/s,
 *       after (every bunch still costs its pause).
 *   <li>A quota the user gave ({@code rateLimit}) was cut by 10% at its first 429, believed at
 *       once, though a lone 429 there is more likely a bunch than a wrong quota: a CLI run of
 *       3,000 images with {@code --rate-limit 50} against a simulated limit of 50/s, one 429
 *       injected ({@code --simulate-fault rate-limited:1s:on=100}), made 44.4 images a second
 *       before (the pace held at 44.6 to 46.4/s), 49.0 after (the pause only). Now it needs
 *       another within 30 s, as while holding. The
 *       stalls of 300 ms every 5 s above, at {@code rateLimit(50)}: 0.595 R, pace down to 27.9/s,
 *       before; 0.789 R, at least 47.3/s, after. A quota twice the server's rate costs one pause
 *       more before it is corrected: 0.947 of the server's rate before, 0.942 after.
 *   <li>Client stalls delay releases; without catching up, the pace the client kept was below
 *       the one it set, and fits of such rounds pulled the pace down round after round. Stalls of
 *       150 ms a second on every lane: 0.663 R, pace down to 31.5/s, before; 0.711 R, at least
 *       37.8/s, after. Stalls of 50 ms every 0.5 s on each lane: 0.952 R before, 0.948 R after.
 *   <li>One low fit held the pace there for the rest of a batch: probing at 0.1% a second takes
 *       seven minutes to climb 50%. In the benchmark a shared pace fitted 32.4/s from a bunched
 *       round and held 32 to 35/s to the end (0.670 R); a CPU-load run held 46/s (0.851 R). Now
 *       probing quickens after 20 s without a cut. A limit that rises from 30 to 50/s after 20 s
 *       ({@code RequestPacerNoiseTest}): 0.627 R, never back at 45/s, before; 0.745 R, back
 *       84 s after the rise, after. Eleven other scenarios of the model (one and four workers;
 *       quiet, spread out, jitter, stalls, stray 429s) moved by at most 0.005 R.
 *   <li>Verifying, a 429 whose round fits a rate above the pace (a bunch: a stall, or workers
 *       sharing the pace catching up together with a burst counted too high) ended verification
 *       at 99% of the pace. In the benchmark a shared pace so ended at 21/s (fit: 182/s) and held
 *       there for a minute (0.666 R); now verification goes on ({@code PaceLearnerTest}). On
 *       the model, one pipeline is unchanged; four sharing a pace moved by at most 0.006 R, either
 *       way (the bunch that it answers does not form there as in the benchmark).
 *   <li>A probe's 429 paused every request for its second, as any other: the 429 a probe goes
 *       looking for, once every 30 to 320 s, cost a second of the whole batch each time. Now only
 *       the refused request waits, and the pace is cut at once. Quiet 0.968 R before, 0.976 after
 *       (4 pauses to 3); log-normal latency with jitter 0.966 to 0.973; a limit raised from 30 to
 *       50/s 0.748 to 0.753; four workers sharing a pace 0.957 to 0.962 (noisy 0.942 to 0.948);
 *       3,000 jobs 0.938 to 0.953. The one condition that lost: an opening spread over a second
 *       with log-normal latency, 0.953 to 0.949. Every other 429 still pauses every request:
 *       skipping verification's pause too gave one pipeline 0.981 R but four workers sharing a
 *       pace 0.876 (noisy) and four alone 0.810.
 *   <li>Quiet and with jitter: 0.957 and 0.935 R in the first design, 0.976 and 0.975 R now;
 *       log-normal latency (median 100 ms, p99 1 s) with jitter, 0.973 R now; 3 pauses each (the
 *       opening burst, the search, verification), 429s under 1% of requests.
 * </ul>
 *
 * <p><b>With a shared pace</b> ({@link #sharing}), every request takes its moment from the one
 * schedule in the store, and a pacer takes the moments of as many waiting requests as it has, at
 * most {@value #MOST_RESERVED}, in one round trip. Taking one a round trip, and writing every
 * growth of the pace, cost 3.16 round trips a request (a claim, a write, and the read another
 * worker's write makes the next claim do; {@code SharedPaceTest}, four workers on virtual time),
 * each holding up the pacer that waits for it. In the benchmark's shared-quota row on a busy
 * machine those round trips took 20 to 40 ms, and the four workers together sent about 38 a
 * second while the pace was 68 (a search round: 191 requests in 5 s at a pace of 1,235/s); every
 * fit of such a round came out low, and the pace settled at 10.6/s in one run, 33.7/s in another.
 * Now: 0.77 round trips a request, the schedule booked about 280 ms ahead and behind only in the
 * first seconds. A pause another worker began is learned at the next claim, so moments already
 * taken (at most {@value #MOST_RESERVED} a pacer, where one was before) may still go in it;
 * moments a pause this pacer knows of overtook go unused rather than in a bunch at its end.
 *
 * <p>What the pipelines sharing a pace learn is shared too, the evidence for the next fit
 * included: the last round whose 429 was believed, as the rate it ties to each burst ({@link
 * RateTie}). Kept by each worker for the 429s it had itself settled, it was missing where the next
 * 429 came (three times in four with four workers), and that worker fitted its round with the
 * opening burst's count, which a shared opening makes several times the server's burst (it
 * reaches the server spread out): the shared pace held 39.5 to 42.9 a second for a limit of 50 in
 * the benchmark (0.82 to 0.86 R). And a shared verification whose fit still lies well below what
 * the server let through just before (no earlier round to cross it with) climbs once more
 * ({@code RECHECKING}) rather than hold there: a second round tells burst from rate, at the
 * cost of one more pause; so does a holding pace that such a fit cut after a short round, a
 * verification or a recheck whose fit fell below its floor (a bunch's: the recheck then climbs
 * as fast as verification did, not towards the pace of that 429), a verification whose round the
 * worker's log lost (its fit is then the rate requests went at, less 10%: held, 18.3 a second for
 * 100 s against a limit of 50), a recheck whose round no other could be crossed with, and a fit
 * of two rounds whose bucket could not have let through what went
 * through over two seconds (at most R + B / 2 a second: two bunched rounds crossed at 38.4 a
 * second where 54 had gone through). A 429 is judged on the pace as
 * another worker last changed it: judged on what this worker had read before, it wrote the search
 * back over another worker's fit of the same round. A 429 that came back late is taken for a bunch's
 * and ignored, except by a shared pace a quarter or more above the most that ever went through
 * over two seconds: where every round had one, four workers held 74.7 a second for a limit of 50.
 *
 * <p>Each 429 but a probe's costs a pause of every request, a whole second at least as {@code
 * Retry-After} counts in seconds, so the controller aims just below the limit and probes slowly:
 * 429s are rare events, not the signal it steers by. A fixed rate from the builder caps the pace.
 *
 * <p>Thread-safe. Time and timers come from the constructor, so tests can run it on virtual time.
 */
public final class RequestPacer {

  private static final long SECOND = 1_000_000_000L;
  /**
   * The most moments a shared schedule hands out to this pacer at once. One a round trip held a
   * worker to one request per round trip (see {@link ai.anycap.pipeline.SharedPace#claim}); a few
   * ahead keep the schedule's moments in use while a round trip is on its way, and four workers
   * holding four each book a third of a second ahead at 50 a second.
   */
  static final int MOST_RESERVED = 4;
  /**
   * A moment this much before a pause's end was taken before the pause began; one taken after it
   * is at its end, give or take the store's clock's rounding.
   */
  private static final long OVERTAKEN_NANOS = 1_000_000;

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

  private final LongSupplier clock;
  private final Timer timer;
  private final Consumer<RequestPace> onChange;
  private final PaceLearner learner;

  private final ArrayDeque<CompletableFuture<Ticket>> waiting = new ArrayDeque<>();
  private long nextRelease;
  /**
   * Moments taken from a shared schedule for the requests at the head of the queue, oldest first:
   * as many as wait, at most {@value #MOST_RESERVED}, in one round trip to the store.
   */
  private final ArrayDeque<PaceStore.Slot> reserved = new ArrayDeque<>();
  private long wakeAt = Long.MAX_VALUE;
  /** When a moment of a shared schedule was last released here; Long.MIN_VALUE for never. */
  private long lastShared = Long.MIN_VALUE;
  /** Whether requests were left waiting at the last release: a late one after it was held up. */
  private boolean backlog;

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
    this(adaptive, fixedRate, maxPause, clock, timer, onChange, PaceStore.local(PaceState.initial(PaceLearner.HOLD_SECONDS)));
  }

  RequestPacer(
      boolean adaptive, double fixedRate, Duration maxPause, LongSupplier clock, Timer timer,
      Consumer<RequestPace> onChange, PaceStore store) {
    if (!(fixedRate > 0)) {
      throw new IllegalArgumentException("fixedRate must be positive, got " + fixedRate);
    }
    this.clock = clock;
    this.timer = timer;
    this.onChange = onChange;
    this.learner = new PaceLearner(adaptive, fixedRate, maxPause, store);
  }

  /**
   * A pacer whose pace is shared with every pipeline that uses the same {@code shared} store (the
   * other arguments as for the other constructor).
   */
  public static RequestPacer sharing(
      SharedPace shared, boolean adaptive, double fixedRate, Duration maxPause, LongSupplier clock, Timer timer,
      Consumer<RequestPace> onChange) {
    PaceStore store = new SharedPaceStore(shared, clock, PaceState.initial(PaceLearner.HOLD_SECONDS));
    return new RequestPacer(adaptive, fixedRate, maxPause, clock, timer, onChange, store);
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
    RequestPace changed;
    synchronized (this) {
      changed = learner.answered(ticket, failure, clock.getAsLong(), !waiting.isEmpty());
    }
    if (changed != null) {
      onChange.accept(changed);
    }
    pump();
  }

  /** The pace and pause now. */
  public synchronized RequestPace pace() {
    long now = clock.getAsLong();
    return new RequestPace(learner.rate(), Duration.ofNanos(learner.pauseLeft(now)));
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
    // Long.MIN_VALUE for none: a monotonic clock may well be negative (its origin is arbitrary).
    long wake = Long.MIN_VALUE;
    RequestPace settled;
    RequestPace followed = null;
    synchronized (this) {
      long now = clock.getAsLong();
      settled = learner.settle(now);
      while (!waiting.isEmpty()) {
        if (waiting.peek().isDone()) { // cancelled while waiting
          waiting.poll();
          continue;
        }
        long pausedUntil = learner.pausedUntil();
        if (now < pausedUntil) {
          wake = pausedUntil;
          break;
        }
        // With a shared pace, every pipeline on the account takes its moments from one schedule,
        // which also holds them all through a pause any of them began. Moments a pause overtook
        // (taken before it began) go unused: released at its end, they would add to the moments
        // the schedule gives after it, and go out in a bunch.
        while (!reserved.isEmpty() && reserved.peek().at() + OVERTAKEN_NANOS < pausedUntil) {
          learner.dropped(reserved.poll());
        }
        if (reserved.isEmpty()) {
          List<PaceStore.Slot> taken = learner.claim(now, backlog, Math.min(MOST_RESERVED, waiting.size()));
          if (taken != null) {
            reserved.addAll(taken);
          }
          RequestPace other = learner.followed(now);
          followed = other != null ? other : followed;
        }
        if (!reserved.isEmpty()) {
          long due = reserved.peek().at();
          double rate = learner.rate();
          if (rate != Double.POSITIVE_INFINITY && lastShared != Long.MIN_VALUE) {
            // Moments that came back late (a slow round trip to the store, a stalled client) are
            // spread out again, one interval of the account's pace apart: released together, the
            // moments of four workers reached the server in bunches bigger than its burst, which
            // refused them at half its rate, and the pace learned from that sat there.
            due = Math.max(due, lastShared + (long) (SECOND / rate));
          }
          if (now < due) {
            wake = due;
            break;
          }
          lastShared = now;
          go.add(waiting.poll());
          tickets.add(learner.released(now, reserved.poll()));
          continue;
        }
        double rate = learner.rate();
        if (rate != Double.POSITIVE_INFINITY) {
          long interval = (long) (SECOND / rate);
          long due = Math.max(nextRelease, pausedUntil); // a pause's end starts afresh, with no debt
          if (now < due) {
            wake = due;
            break;
          }
          // Releases that a stalled client held up are caught up, a few at once (see the class
          // comment); after idle time, one interval at most.
          long catchUp = backlog ? learner.catchUp() : 1;
          nextRelease = Math.max(due, now - catchUp * interval) + interval;
        }
        go.add(waiting.poll());
        tickets.add(learner.released(now, null));
      }
      backlog = !waiting.isEmpty();
      if (wake != Long.MIN_VALUE && wake < wakeAt) {
        wakeAt = wake;
      } else {
        wake = Long.MIN_VALUE;
      }
      if (wake != Long.MIN_VALUE) {
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
    if (followed != null) {
      onChange.accept(followed);
    }
    if (settled != null) {
      onChange.accept(settled);
    }
    for (int i = 0; i < go.size(); i++) {
      go.get(i).complete(tickets.get(i));
    }
  }
}

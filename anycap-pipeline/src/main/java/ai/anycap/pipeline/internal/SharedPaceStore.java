package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.SharedPace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PaceStore} in a {@link SharedPace}, for workers on one account: the state this pacer
 * reads is the one the store answered last (each claim says whether another worker changed it
 * since, and then it is read again), changes are compare-and-set on the store's version, applied
 * again to what another worker wrote when one did, and the pause and the times in the state are
 * kept on the store's clock ({@link StoreClock}), so that workers whose clocks disagree pause
 * together.
 *
 * <p>When the store fails, the pacer goes on alone: changes apply to the state held here, claims
 * give way to the pacer's own schedule, and the store is tried again {@value #RETRY_SECONDS}
 * seconds later. Once it answers, its state is read afresh: what the workers that kept it learned
 * meanwhile wins over what this one learned alone.
 *
 * <p>Thread-safe; the pacer calls it under its own lock anyway, so the store's round trips hold
 * up that pacer's other threads, not the requests already sent.
 */
final class SharedPaceStore implements PaceStore {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.pipeline.pace");
  private static final long RETRY_SECONDS = 2;
  private static final long RETRY_NANOS = Duration.ofSeconds(RETRY_SECONDS).toNanos();
  /** Never written: a compare-and-set from it only reads. */
  private static final long READ_ONLY = -1;
  /** Changes lost to other workers this many times in a row give way to theirs. */
  private static final int MOST_TRIES = 8;
  private static final long[] NONE = {};
  /**
   * A change that only grows the pace is written at most this often; meanwhile it is kept here.
   * Written on every success, the growth cost each worker a round trip per answer, and every
   * other worker a read on its next claim (the version moved): three round trips a request, which
   * on a busy machine held the workers below the pace they had learned. The pace grows with time
   * since its last growth, so another worker's write, read in the meantime, loses none of it.
   */
  private static final long GROWTH_WRITE_NANOS = Duration.ofMillis(250).toNanos();

  private final SharedPace shared;
  private final LongSupplier clock;
  private final PaceState nothing;
  private final StoreClock storeClock = new StoreClock();
  private PaceState state;
  private long version = READ_ONLY;
  private long offlineUntil = Long.MIN_VALUE;
  private boolean offline;
  /** The most moments the store has said were taken. */
  private long sequence;
  /** When this store last wrote a change (this process's clock). */
  private long writtenAt = Long.MIN_VALUE;

  SharedPaceStore(SharedPace shared, LongSupplier clock, PaceState initial) {
    this.shared = shared;
    this.clock = clock;
    this.nothing = initial;
    this.state = initial;
  }

  @Override
  public synchronized PaceState current() {
    if (version == READ_ONLY) {
      read();
    }
    return state;
  }

  @Override
  public synchronized PaceState update(UnaryOperator<PaceState> change) {
    if (version == READ_ONLY) {
      read();
    }
    for (int tries = 0; tries < MOST_TRIES; tries++) {
      PaceState before = state;
      PaceState next = change.apply(before);
      if (next == before) {
        return before;
      }
      if (version == READ_ONLY || !storeClock.known()) {
        state = next; // the store is away: alone until it answers
        return next;
      }
      if (writtenAt != Long.MIN_VALUE && clock.getAsLong() - writtenAt < GROWTH_WRITE_NANOS
          && next.equals(before.withRate(next.rate(), next.lastGrowth()))) {
        state = next; // growth alone: written with the next change, or the next growth after a while
        return next;
      }
      String text = PaceStateText.write(next, storeClock);
      long pause = next.pausedUntil() == Long.MIN_VALUE ? 0 : Math.max(0, storeClock.toStore(next.pausedUntil()));
      long expected = version;
      SharedPace.Snapshot s = call("writing the pace", () -> shared.compareAndSet(expected, pause, text));
      if (s == null) {
        state = next;
        return next;
      }
      if (s.written()) {
        writtenAt = clock.getAsLong();
        sequence = Math.max(sequence, s.sequence());
        version = s.version();
        state = next;
        return next;
      }
      adopt(s); // another worker wrote first: work the change out again from what it wrote
    }
    return state;
  }

  @Override
  public synchronized List<Slot> claim(long now, double rate, long catchUp, long after, int count) {
    long spacing = rate == Double.POSITIVE_INFINITY ? 0 : Math.max(1, (long) (1e6 / rate));
    SharedPace.Slot s = call("taking a moment to send",
        () -> shared.claim(spacing, Math.max(0, catchUp) * spacing, after, Math.max(1, count)));
    if (s == null) {
      return null;
    }
    sequence = Math.max(sequence, s.sequence() + s.moments().size() - 1);
    if (s.version() != version) {
      read();
    }
    long[] earlier = new long[s.earlier().size()];
    for (int i = 0; i < earlier.length; i++) {
      earlier[i] = storeClock.toLocal(s.earlier().get(i));
    }
    List<Slot> slots = new ArrayList<>();
    for (int i = 0; i < s.moments().size(); i++) {
      slots.add(new Slot(s.sequence() + i, storeClock.toLocal(s.moments().get(i)), i == 0 ? earlier : NONE));
    }
    return slots;
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public synchronized long sequence() {
    return sequence;
  }

  private void read() {
    SharedPace.Snapshot s = call("reading the pace", () -> shared.compareAndSet(READ_ONLY, 0, ""));
    if (s != null) {
      adopt(s);
    }
  }

  private void adopt(SharedPace.Snapshot s) {
    sequence = Math.max(sequence, s.sequence());
    long pausedUntil = s.pausedUntil() <= 0 ? Long.MIN_VALUE : storeClock.toLocal(s.pausedUntil());
    state = PaceStateText.read(s.learned(), pausedUntil, storeClock, nothing);
    version = s.version();
  }

  /**
   * Calls the store, learning its clock from the answer; null when it failed, or failed less than
   * {@value #RETRY_SECONDS} seconds ago.
   */
  private <T> T call(String what, Supplier<T> call) {
    long sentAt = clock.getAsLong();
    if (offline && sentAt - offlineUntil < 0) {
      return null;
    }
    T answer;
    try {
      answer = call.get();
    } catch (RuntimeException e) {
      if (!offline) {
        log.warn("the shared pace did not answer while {} ({}); pacing alone, and trying it again every {} s",
            what, e.toString(), RETRY_SECONDS);
      }
      offline = true;
      offlineUntil = clock.getAsLong() + RETRY_NANOS;
      version = READ_ONLY; // read it afresh when it is back
      return null;
    }
    long answeredAt = clock.getAsLong();
    if (offline) {
      offline = false;
      log.info("the shared pace answers again");
    }
    long storeNow = answer instanceof SharedPace.Slot s ? s.clock() : ((SharedPace.Snapshot) answer).clock();
    storeClock.sample(storeNow, sentAt, answeredAt);
    return answer;
  }
}

package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.SharedPace;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A {@link SharedPace} in memory, with the semantics of anycap-redis's scripts, on a clock of its
 * own (microseconds), for pacers on virtual time: what several workers sharing a Redis would see,
 * minus the network.
 */
final class MemorySharedPace implements SharedPace {

  /** The latest moments kept, as the Redis script keeps them. */
  private static final int KEPT = 512;

  private final LongSupplier micros;
  private final Runnable roundTrip;
  private final long[] moments = new long[KEPT];
  private long next;
  private long sequence;
  private long version;
  private long pausedUntil;
  private String learned = "";
  private long claims;
  /** Compare-and-sets, reads included. */
  private long calls;
  private long momentsTaken;
  private long writes;

  MemorySharedPace(LongSupplier micros) {
    this(micros, () -> {});
  }

  /**
   * @param roundTrip run at the start of every call, as the way to the store and back: on
   *     virtual time, {@code () -> time.advance(rtt)} makes each call cost a round trip
   */
  MemorySharedPace(LongSupplier micros, Runnable roundTrip) {
    this.micros = micros;
    this.roundTrip = roundTrip;
  }

  @Override
  public synchronized Slot claim(long spacingMicros, long catchUpMicros, long after, int count) {
    roundTrip.run();
    claims++;
    long now = micros.getAsLong();
    List<Long> earlier = new ArrayList<>();
    for (long n = Math.max(Math.max(1, after + 1), sequence - KEPT + 1); n <= sequence; n++) {
      earlier.add(moments[(int) (n % KEPT)]);
    }
    long first = sequence + 1;
    List<Long> taken = new ArrayList<>();
    for (int i = 0; i < Math.max(1, count); i++) {
      long due = Math.max(next, pausedUntil);
      long at;
      if (due > now) {
        at = due;
        next = due + spacingMicros;
      } else {
        at = now;
        next = Math.max(due, now - catchUpMicros) + spacingMicros;
      }
      sequence++;
      moments[(int) (sequence % KEPT)] = at;
      taken.add(at);
    }
    momentsTaken += taken.size();
    return new Slot(first, taken, now, version, earlier);
  }

  @Override
  public synchronized Snapshot compareAndSet(long expectedVersion, long pausedUntil, String learned) {
    roundTrip.run();
    calls++;
    boolean written = expectedVersion == version;
    if (written) {
      writes++;
      version++;
      this.pausedUntil = pausedUntil;
      this.learned = learned;
    }
    return new Snapshot(written, version, this.pausedUntil, this.learned, sequence, micros.getAsLong());
  }

  synchronized long claims() {
    return claims;
  }

  /** Moments taken, over all claims. */
  synchronized long momentsTaken() {
    return momentsTaken;
  }

  /** Round trips to the store: claims and compare-and-sets (reads included). */
  synchronized long roundTrips() {
    return claims + calls;
  }

  synchronized long writes() {
    return writes;
  }

  synchronized String learned() {
    return learned;
  }
}

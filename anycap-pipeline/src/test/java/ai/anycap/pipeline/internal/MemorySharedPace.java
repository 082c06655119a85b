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
  private final long[] moments = new long[KEPT];
  private long next;
  private long sequence;
  private long version;
  private long pausedUntil;
  private String learned = "";
  private long claims;
  private long writes;

  MemorySharedPace(LongSupplier micros) {
    this.micros = micros;
  }

  @Override
  public synchronized Slot claim(long spacingMicros, long catchUpMicros, long after) {
    claims++;
    long now = micros.getAsLong();
    long due = Math.max(next, pausedUntil);
    long at;
    if (due > now) {
      at = due;
      next = due + spacingMicros;
    } else {
      at = now;
      next = Math.max(due, now - catchUpMicros) + spacingMicros;
    }
    List<Long> earlier = new ArrayList<>();
    for (long n = Math.max(Math.max(1, after + 1), sequence - KEPT + 1); n <= sequence; n++) {
      earlier.add(moments[(int) (n % KEPT)]);
    }
    sequence++;
    moments[(int) (sequence % KEPT)] = at;
    return new Slot(sequence, at, now, version, earlier);
  }

  @Override
  public synchronized Snapshot compareAndSet(long expectedVersion, long pausedUntil, String learned) {
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

  synchronized long writes() {
    return writes;
  }

  synchronized String learned() {
    return learned;
  }
}

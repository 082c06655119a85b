package ai.anycap.pipeline.internal;

/**
 * How far this process's monotonic clock is from a shared store's clock, the time base of every
 * pipeline sharing a pace: learned from the store's answers, each telling its clock, taken at some
 * moment between sending the call and reading the answer. The best estimate is from the quickest
 * round trip (its middle is off by at most half of it), as NTP does it; an older one is trusted a
 * little less as time goes by, since the two clocks drift apart (by well under 100 ppm), so that a
 * quick answer of an hour ago gives way to a slower one of now.
 *
 * <p>Not thread-safe: its store calls it under its own lock.
 */
final class StoreClock {

  /** How much worse an estimate gets each nanosecond it ages: 100 ppm. */
  private static final double DRIFT = 1e-4;
  /** The store's clock counts microseconds: half of one is off either way. */
  private static final long RESOLUTION_NANOS = 500;

  private boolean known;
  private long offsetNanos;
  private long errorNanos;
  private long measuredAt;

  /** The store said {@code storeMicros} between {@code sentAt} and {@code answeredAt} (local nanos). */
  void sample(long storeMicros, long sentAt, long answeredAt) {
    long half = Math.max(0, answeredAt - sentAt) / 2;
    long error = half + RESOLUTION_NANOS;
    long aged = known ? errorNanos + (long) ((answeredAt - measuredAt) * DRIFT) : Long.MAX_VALUE;
    if (error <= aged) {
      known = true;
      offsetNanos = storeMicros * 1_000 - (sentAt + half);
      errorNanos = error;
      measuredAt = answeredAt;
    }
  }

  boolean known() {
    return known;
  }

  /** A moment of the store's clock on this process's clock; {@code Long.MIN_VALUE} stays so. */
  long toLocal(long storeMicros) {
    return storeMicros == Long.MIN_VALUE ? Long.MIN_VALUE : storeMicros * 1_000 - offsetNanos;
  }

  /** A moment of this process's clock on the store's; {@code Long.MIN_VALUE} stays so. */
  long toStore(long localNanos) {
    return localNanos == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(localNanos + offsetNanos, 1_000);
  }
}

package ai.anycap.redis.internal;

/** Growing pauses between retries while Redis is away: from a floor, doubling, to a ceiling. */
final class Backoff {

  private final long floorMillis;
  private final long ceilingMillis;
  private long nextMillis;

  Backoff(long floorMillis, long ceilingMillis) {
    this.floorMillis = floorMillis;
    this.ceilingMillis = ceilingMillis;
    this.nextMillis = floorMillis;
  }

  /** The next pause, in milliseconds; each is twice the last, up to the ceiling. */
  long next() {
    long n = nextMillis;
    nextMillis = Math.min(ceilingMillis, nextMillis * 2);
    return n;
  }

  void reset() {
    nextMillis = floorMillis;
  }
}

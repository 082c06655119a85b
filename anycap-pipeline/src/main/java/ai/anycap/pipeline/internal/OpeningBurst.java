package ai.anycap.pipeline.internal;

/**
 * What the opening burst of a pace shows: the requests sent unpaced before the first answer came
 * back, after the first of them was refused. A server that limits bursts lets through what its
 * bucket holds and refuses the rest; counting the refusals (429s come back at once, an image
 * takes seconds) gives what it let through whatever order the requests reached it in. A count at
 * most right: when the burst reached the server spread out (new connections on a busy machine),
 * the bucket refilled meanwhile, and how spread out the 429s came back says by how much. With a
 * pace shared by several pipelines, the burst is all of theirs, and so are its refusals: the
 * shared store counts both ({@link #sentInAll}, {@link #counted(long)}).
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class OpeningBurst {

  private long round = -1;
  private long cutoff;
  private long sent;
  private long failed;
  private long lateAccepted;
  private long lateRefused;
  private double pauseSeconds;
  private long fastest429 = Long.MAX_VALUE;
  private long slowest429 = Long.MIN_VALUE;

  /**
   * The burst of {@code round} ({@code sent} requests) had request {@code refused} refused, its
   * 429 back after {@code took} nanoseconds, with a pause of {@code pauseSeconds}; {@code
   * acceptedAfter} requests sent after it have gone through already.
   */
  void begin(long round, long refused, long sent, long acceptedAfter, double pauseSeconds, long took) {
    this.round = round;
    this.cutoff = refused;
    this.sent = sent;
    this.failed = 1;
    this.lateAccepted = acceptedAfter;
    this.lateRefused = 0;
    this.pauseSeconds = pauseSeconds;
    this.fastest429 = took;
    this.slowest429 = took;
  }

  /** Whether a request of {@code round} belongs to the burst. */
  boolean holds(long round) {
    return this.round >= 0 && round == this.round;
  }

  void accepted(long sequence) {
    if (sequence > cutoff) {
      lateAccepted++;
    }
  }

  /** Every pipeline sharing the pace sent {@code sent} requests in the burst, this one's included. */
  void sentInAll(long sent) {
    this.sent = Math.max(this.sent, sent);
  }

  /** A request of the burst failed; {@code took} is how long its 429 took, or -1 for another failure. */
  void failed(long sequence, long took) {
    failed++;
    if (took >= 0) {
      fastest429 = Math.min(fastest429, took);
      slowest429 = Math.max(slowest429, took);
      if (sequence > cutoff) {
        lateRefused++;
      }
    }
  }

  /** What the burst got through: at least one. */
  double counted() {
    return counted(0);
  }

  /** As {@link #counted()}, when all the pipelines sharing the pace got {@code refusedInAll} 429s for it. */
  double counted(long refusedInAll) {
    return Math.max(1, sent - Math.max(failed, refusedInAll));
  }

  /** Over how long the burst's 429s came back. */
  double spreadSeconds() {
    return slowest429 > fastest429 ? (slowest429 - fastest429) / 1e9 : 0;
  }

  double pauseSeconds() {
    return pauseSeconds;
  }

  /**
   * Whether it was no burst limit after all: a server that limits bursts refuses every request
   * after the first it refuses, and here those after it mostly went through (another client's
   * 429, or chance).
   */
  boolean noLimitAfterAll() {
    return noLimitAfterAll(0);
  }

  /**
   * As {@link #noLimitAfterAll()}, when all the pipelines sharing the pace got {@code
   * refusedInAll} 429s for the burst, its first included. Their bursts reach the server
   * interleaved and spread out, so this pipeline's later requests may go through on a bucket
   * that refilled meanwhile while the others' are refused: their 429s count against it too.
   */
  boolean noLimitAfterAll(long refusedInAll) {
    return round >= 0 && lateAccepted > Math.max(lateRefused, refusedInAll - 1) + 1;
  }

  long round() {
    return round;
  }

  void forget() {
    round = -1;
  }
}

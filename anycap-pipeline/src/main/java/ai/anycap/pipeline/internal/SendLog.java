package ai.anycap.pipeline.internal;

/**
 * The generate requests one pipeline sent in the current round of its pace, the most recent
 * {@code capacity} of them: when each went, by its sequence number, and whether it went through.
 * With a shared pace, the requests other pipelines sent in between are here too (numbered by the
 * shared schedule), never accepted: whether they went through is theirs to know.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class SendLog {

  private final long[] times;
  private final boolean[] accepted;
  private int start;
  private int size;
  private long firstSequence;

  SendLog(int capacity) {
    times = new long[capacity];
    accepted = new boolean[capacity];
  }

  int capacity() {
    return times.length;
  }

  /** Requests held. */
  int size() {
    return size;
  }

  /** Request {@code sequence}, the one after the last added, went at {@code t}. */
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

  /**
   * The round that began at {@code roundStart} with request {@code first} and ended with the
   * refusal of {@code refused}, sent at {@code refusedAt}; null when the log no longer holds its
   * first requests.
   */
  Round round(long roundStart, long first, long refused, long refusedAt) {
    if (size == 0 || firstSequence > first) {
      return null;
    }
    int n = (int) Math.max(0, Math.min(refused - first, size - (first - firstSequence)));
    long[] sent = new long[n];
    for (int i = 0; i < n; i++) {
      sent[i] = times[(int) ((start + (first - firstSequence) + i) % times.length)];
    }
    return new Round(roundStart, sent, refusedAt);
  }
}

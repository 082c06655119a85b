package ai.anycap.pipeline.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A set of 128-bit fingerprints (of job ids, output paths, requests), each with a {@code long}
 * beside it, in flat arrays (open addressing): 40 to 80 bytes an entry, where a {@code HashMap}
 * of the strings themselves takes several hundred. The checking pass of a 100,000-row batch keeps
 * one per row of each. Two different strings share a fingerprint with a chance of about 2^-128 per
 * pair. Not thread-safe.
 */
final class Fingerprints {

  /** What {@link #putIfAbsent} returns for a fingerprint it had not seen. */
  static final long ABSENT = Long.MIN_VALUE;

  private final MessageDigest sha256 = sha256();
  private long[] high = new long[64];
  private long[] low = new long[64];
  private long[] values = new long[64];
  private boolean[] used = new boolean[64];
  private int size;

  /**
   * Adds the fingerprint with {@code value} unless it is there.
   *
   * @return the value it already had, or {@link #ABSENT} when it is new
   */
  long putIfAbsent(long hi, long lo, long value) {
    if ((size + 1) * 3L > used.length * 2L) {
      grow();
    }
    int mask = used.length - 1;
    for (int i = slot(hi, lo, mask); ; i = (i + 1) & mask) {
      if (!used[i]) {
        used[i] = true;
        high[i] = hi;
        low[i] = lo;
        values[i] = value;
        size++;
        return ABSENT;
      }
      if (high[i] == hi && low[i] == lo) {
        return values[i];
      }
    }
  }

  /** {@link #putIfAbsent(long, long, long)} for the fingerprint of {@code text}. */
  long putIfAbsent(String text, long value) {
    ByteBuffer hash = ByteBuffer.wrap(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    return putIfAbsent(hash.getLong(), hash.getLong(), value);
  }

  private static int slot(long hi, long lo, int mask) {
    long h = hi ^ lo;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    long[] oldHigh = high;
    long[] oldLow = low;
    long[] oldValues = values;
    boolean[] oldUsed = used;
    int capacity = oldUsed.length * 2;
    high = new long[capacity];
    low = new long[capacity];
    values = new long[capacity];
    used = new boolean[capacity];
    size = 0;
    for (int i = 0; i < oldUsed.length; i++) {
      if (oldUsed[i]) {
        putIfAbsent(oldHigh[i], oldLow[i], oldValues[i]);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package ai.anycap.pipeline.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a journal knows of each job id, in flat arrays (open addressing): the job's last state and
 * the fingerprint of the request it was made for, 17 bytes a slot where a map of the ids
 * themselves would take a hundred or more a job. The table is sized to what it holds (at most
 * three quarters full, growing by half), not to a power of two, and a batch {@link #reserve}s room
 * for its jobs before it starts, so that the table does not grow (nor is copied) while the batch
 * runs: 100,000 jobs cost 2.3 MB, about 23 bytes a job. Ids are kept as 64-bit hashes: two ids of
 * one journal share one with a chance of about n^2 / 2^65 (3 in 10^10 at 100,000 jobs), and even
 * then a job is skipped only when its request fingerprint also matches. Not thread-safe: the
 * journal guards it.
 */
final class JournalIndex {

  /** What the journal's lines say of a job, the last one winning. */
  enum State {
    /** No line names the job. */
    UNKNOWN,
    /** Succeeded, and its files were found as recorded when the journal was read. */
    SUCCEEDED,
    /** Succeeded, but a file was missing or changed when the journal was read. */
    OUTPUT_CHANGED,
    /** The server answered the generate request; the image was not yet downloaded. */
    GENERATED,
    /** The image was kept but not delivered to every sink. */
    UNDELIVERED,
    /** Failed with no image kept. */
    FAILED
  }

  private static final State[] STATES = State.values();

  private static final int MIN_CAPACITY = 64;

  private final MessageDigest sha256 = sha256();
  private long[] keys = new long[MIN_CAPACITY];
  private long[] requests = new long[MIN_CAPACITY];
  private byte[] states = new byte[MIN_CAPACITY];
  private int size;

  /** Records the job's latest state; {@code request} is 0 when the line names no request. */
  void put(String jobId, State state, long request) {
    long key = key(jobId);
    int known = find(key);
    if (known >= 0) {
      requests[known] = request;
      states[known] = (byte) (state.ordinal() + 1);
      return;
    }
    if (!fits(size + 1, keys.length)) {
      resize(Math.max(keys.length + keys.length / 2, capacityFor(size + 1)));
    }
    put(key, state, request);
  }

  /**
   * Makes room for {@code more} ids beyond those it holds, at once, so that adding them later
   * grows nothing. Ids it already holds take no new room when they come again.
   */
  void reserve(long more) {
    long wanted = Math.min(Integer.MAX_VALUE / 2, size + Math.max(0, more));
    if (!fits(wanted, keys.length)) {
      resize(capacityFor(wanted));
    }
  }

  /** Slots in the table: what it costs, 17 bytes each. */
  int capacity() {
    return keys.length;
  }

  private static boolean fits(long entries, int capacity) {
    return entries * 4 <= capacity * 3L;
  }

  private static int capacityFor(long entries) {
    return (int) Math.max(MIN_CAPACITY, (entries * 4 + 2) / 3);
  }

  private void put(long key, State state, long request) {
    int capacity = keys.length;
    for (int i = slot(key, capacity); ; i = next(i, capacity)) {
      if (states[i] == 0) {
        keys[i] = key;
        size++;
      } else if (keys[i] != key) {
        continue;
      }
      requests[i] = request;
      states[i] = (byte) (state.ordinal() + 1);
      return;
    }
  }

  /** The job's latest state, {@link State#UNKNOWN} when no line names it. */
  State state(String jobId) {
    int i = find(key(jobId));
    return i < 0 ? State.UNKNOWN : STATES[states[i] - 1];
  }

  /** The request fingerprint recorded with the job's latest state; 0 when none was. */
  long request(String jobId) {
    int i = find(key(jobId));
    return i < 0 ? 0 : requests[i];
  }

  /** How many job ids the journal names. */
  int size() {
    return size;
  }

  private int find(long key) {
    int capacity = keys.length;
    for (int i = slot(key, capacity); states[i] != 0; i = next(i, capacity)) {
      if (keys[i] == key) {
        return i;
      }
    }
    return -1;
  }

  private long key(String jobId) {
    return ByteBuffer.wrap(sha256.digest(jobId.getBytes(StandardCharsets.UTF_8))).getLong();
  }

  /** The key's first slot: its high 32 bits scaled to the table (the key is a uniform hash). */
  private static int slot(long key, int capacity) {
    return (int) (((key >>> 32) * capacity) >>> 32);
  }

  private static int next(int i, int capacity) {
    return i + 1 == capacity ? 0 : i + 1;
  }

  private void resize(int capacity) {
    long[] oldKeys = keys;
    long[] oldRequests = requests;
    byte[] oldStates = states;
    keys = new long[capacity];
    requests = new long[capacity];
    states = new byte[capacity];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldStates[i] != 0) {
        put(oldKeys[i], STATES[oldStates[i] - 1], oldRequests[i]);
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

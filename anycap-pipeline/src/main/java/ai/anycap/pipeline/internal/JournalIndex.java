package ai.anycap.pipeline.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a journal knows of each job id, in flat arrays (open addressing): the job's last state and
 * the fingerprint of the request it was made for, about 17 bytes a job where a map of the ids
 * themselves would take a hundred or more, so that a journal of 100,000 jobs costs a couple of
 * megabytes of heap. Ids are kept as 64-bit hashes: two ids of one journal share one with a chance
 * of about n^2 / 2^65 (3 in 10^10 at 100,000 jobs), and even then a job is skipped only when its
 * request fingerprint also matches. Not thread-safe: the journal guards it.
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

  private final MessageDigest sha256 = sha256();
  private long[] keys = new long[64];
  private long[] requests = new long[64];
  private byte[] states = new byte[64];
  private int size;

  /** Records the job's latest state; {@code request} is 0 when the line names no request. */
  void put(String jobId, State state, long request) {
    if ((size + 1) * 4L > keys.length * 3L) {
      grow();
    }
    put(key(jobId), state, request);
  }

  private void put(long key, State state, long request) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
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
    int mask = keys.length - 1;
    for (int i = slot(key, mask); states[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return i;
      }
    }
    return -1;
  }

  private long key(String jobId) {
    return ByteBuffer.wrap(sha256.digest(jobId.getBytes(StandardCharsets.UTF_8))).getLong();
  }

  private static int slot(long key, int mask) {
    return (int) (key ^ (key >>> 32)) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldRequests = requests;
    byte[] oldStates = states;
    keys = new long[oldKeys.length * 2];
    requests = new long[oldKeys.length * 2];
    states = new byte[oldKeys.length * 2];
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

package ai.anycap.redis.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;

/** Sorts Lettuce's exceptions into those that waiting cures and those it does not. */
final class RedisErrors {

  private RedisErrors() {}

  /**
   * Whether the failure comes from Redis being away or busy (a lost or refused connection, a
   * timeout, a restart still loading its data), so that the same command may succeed later. An
   * error Redis answered for the command itself (a wrong type, a bad argument) is not transient.
   */
  static boolean transientFailure(RuntimeException e) {
    if (e instanceof RedisCommandInterruptedException) {
      return false;
    }
    if (e instanceof RedisCommandExecutionException) {
      String m = String.valueOf(e.getMessage());
      return m.startsWith("LOADING")
          || m.startsWith("BUSY ")
          || m.startsWith("TRYAGAIN")
          || m.startsWith("MASTERDOWN")
          || m.startsWith("READONLY")
          || m.startsWith("CLUSTERDOWN");
    }
    // Connection lost, refused, closed while the command was out, command timed out.
    return e instanceof RedisException;
  }

  /** Whether Redis said the stream or the group is missing (it restarted without its data). */
  static boolean missingGroup(RuntimeException e) {
    return e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("NOGROUP");
  }

  /** Whether XGROUP CREATE failed only because the group exists already. */
  static boolean groupExists(RuntimeException e) {
    return e instanceof RedisCommandExecutionException && String.valueOf(e.getMessage()).startsWith("BUSYGROUP");
  }
}

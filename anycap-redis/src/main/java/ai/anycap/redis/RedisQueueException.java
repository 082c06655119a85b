package ai.anycap.redis;

import ai.anycap.client.AnyCapException;

/**
 * A {@link RedisJobQueue} could not do what was asked: Redis stayed unreachable longer than the
 * queue's {@linkplain RedisJobQueueBuilder#reconnectTimeout(java.time.Duration) reconnect
 * timeout}, or it answered with an error that waiting will not cure (a key of the wrong type, a
 * refused password). The message names the key and the command's purpose; the cause is Lettuce's
 * exception.
 */
public class RedisQueueException extends AnyCapException {

  /**
   * Creates one with the failure Redis or Lettuce reported.
   *
   * @param message what could not be done, naming the key
   * @param cause Lettuce's exception
   */
  public RedisQueueException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates one without a cause, for a failure the queue itself detected.
   *
   * @param message what could not be done, naming the key
   */
  public RedisQueueException(String message) {
    super(message);
  }
}

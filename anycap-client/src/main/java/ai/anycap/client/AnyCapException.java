package ai.anycap.client;

/**
 * Root of every exception this SDK throws. Unchecked, so that code composing futures and streams
 * does not drown in {@code throws} clauses.
 *
 * <p>{@link #retryable()} tells whether sending the same request again can reasonably succeed;
 * retry policies (such as the one in {@code anycap-pipeline}) should consult it rather than
 * inspecting subtypes.
 */
public class AnyCapException extends RuntimeException {

  /**
   * Creates one with a message for people.
   *
   * @param message what went wrong; never holds a secret
   */
  public AnyCapException(String message) {
    super(message);
  }

  /**
   * Creates one with a message and the failure beneath.
   *
   * @param message what went wrong; never holds a secret
   * @param cause the failure beneath, or null
   */
  public AnyCapException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether the same call may succeed if made again later.
   *
   * @return false unless a subtype says otherwise
   */
  public boolean retryable() {
    return false;
  }
}

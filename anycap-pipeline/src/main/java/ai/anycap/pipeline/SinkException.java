package ai.anycap.pipeline;

import ai.anycap.client.AnyCapException;
import java.util.Objects;

/**
 * A sink could not deliver an image. {@link #retryable()} says whether trying again may work (a
 * 5xx or 429 from a CMS, a network failure) or not (a 404, a refused token).
 */
public final class SinkException extends AnyCapException {

  /** The name of the sink that failed. */
  private final String sink;
  /** Whether trying again may work. */
  private final boolean retryable;

  /**
   * A delivery failure.
   *
   * @param sink the name of the sink that failed
   * @param message what went wrong, for people; never a secret
   * @param retryable whether trying again may work
   * @param cause the underlying failure, or null
   */
  public SinkException(String sink, String message, boolean retryable, Throwable cause) {
    super(Objects.requireNonNull(sink, "sink") + ": " + message, cause);
    this.sink = sink;
    this.retryable = retryable;
  }

  /**
   * A delivery failure without an underlying exception.
   *
   * @param sink the name of the sink that failed
   * @param message what went wrong, for people; never a secret
   * @param retryable whether trying again may work
   */
  public SinkException(String sink, String message, boolean retryable) {
    this(sink, message, retryable, null);
  }

  /** {@return the name of the sink that failed} */
  public String sink() {
    return sink;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}

package ai.anycap.pipeline;

import ai.anycap.client.AnyCapException;
import java.util.Objects;

/**
 * A sink could not deliver an image. {@link #retryable()} says whether trying again may work (a
 * 5xx or 429 from a CMS, a network failure) or not (a 404, a refused token).
 */
public final class SinkException extends AnyCapException {

  private final String sink;
  private final boolean retryable;

  public SinkException(String sink, String message, boolean retryable, Throwable cause) {
    super(Objects.requireNonNull(sink, "sink") + ": " + message, cause);
    this.sink = sink;
    this.retryable = retryable;
  }

  public SinkException(String sink, String message, boolean retryable) {
    this(sink, message, retryable, null);
  }

  /** The name of the sink that failed. */
  public String sink() {
    return sink;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}

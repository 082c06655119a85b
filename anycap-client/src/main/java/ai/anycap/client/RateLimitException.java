package ai.anycap.client;

/**
 * The server is rate limiting this account (HTTP 429). Wait at least {@link #retryAfter()} when
 * present before trying again; {@link #retryable()} is true unless the server said otherwise.
 */
public final class RateLimitException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 429 answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public RateLimitException(ErrorDetails error) {
    super(error);
  }
}

package ai.anycap.client;

/**
 * The server failed (HTTP 5xx). Usually transient: {@link #retryable()} is true unless the
 * server's error code or {@code retry_same_request: false} says the request must not be repeated.
 */
public final class ServerException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 5xx answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public ServerException(ErrorDetails error) {
    super(error);
  }
}

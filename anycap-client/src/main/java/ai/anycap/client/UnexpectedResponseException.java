package ai.anycap.client;

/**
 * The server answered with a status that looked like success, but a body this client could not
 * read (not JSON, or missing the fields the protocol requires). A generation may have been charged
 * even so; {@link #retryable()} is true because the request itself was valid.
 */
public final class UnexpectedResponseException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 2xx whose body it cannot read answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public UnexpectedResponseException(ErrorDetails error) {
    super(error);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}

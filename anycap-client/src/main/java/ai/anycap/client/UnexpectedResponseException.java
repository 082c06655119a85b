package ai.anycap.client;

/**
 * The server answered with a status that looked like success, but a body this client could not
 * read (not JSON, or missing the fields the protocol requires). A generation may have been charged
 * even so; {@link #retryable()} is true because the request itself was valid.
 */
public final class UnexpectedResponseException extends AnyCapServiceException {

  public UnexpectedResponseException(ErrorDetails error) {
    super(error);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}

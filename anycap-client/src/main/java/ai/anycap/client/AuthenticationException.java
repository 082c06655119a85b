package ai.anycap.client;

/**
 * The API key is missing, malformed or revoked (HTTP 401). Every further call with the same key
 * fails the same way; check {@code ANYCAP_API_KEY}.
 */
public final class AuthenticationException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 401 answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public AuthenticationException(ErrorDetails error) {
    super(error);
  }
}

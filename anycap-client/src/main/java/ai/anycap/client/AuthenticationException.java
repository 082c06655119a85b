package ai.anycap.client;

/**
 * The API key is missing, malformed or revoked (HTTP 401). Every further call with the same key
 * fails the same way; check {@code ANYCAP_API_KEY}.
 */
public final class AuthenticationException extends AnyCapServiceException {

  public AuthenticationException(ErrorDetails error) {
    super(error);
  }
}

package ai.anycap.client;

/**
 * The request was rejected as invalid (HTTP 400 or 422): an unknown model, a parameter outside
 * its schema, a rejected prompt. Sending it again as is fails again; fix the request.
 */
public final class InvalidRequestException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 400 or 422 answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public InvalidRequestException(ErrorDetails error) {
    super(error);
  }
}

package ai.anycap.client;

/**
 * The request was rejected as invalid (HTTP 400 or 422): an unknown model, a parameter outside
 * its schema, a rejected prompt. Sending it again as is fails again; fix the request.
 */
public final class InvalidRequestException extends AnyCapServiceException {

  public InvalidRequestException(ErrorDetails error) {
    super(error);
  }
}

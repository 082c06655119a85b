package ai.anycap.client;

/**
 * The model, task or path does not exist (HTTP 404).
 */
public final class NotFoundException extends AnyCapServiceException {

  public NotFoundException(ErrorDetails error) {
    super(error);
  }
}

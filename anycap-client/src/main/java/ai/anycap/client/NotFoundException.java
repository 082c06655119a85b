package ai.anycap.client;

/**
 * The model, task or path does not exist (HTTP 404).
 */
public final class NotFoundException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 404 answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public NotFoundException(ErrorDetails error) {
    super(error);
  }
}

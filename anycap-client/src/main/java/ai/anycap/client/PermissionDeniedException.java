package ai.anycap.client;

/**
 * The key is valid but has no access to this API or model (HTTP 403).
 */
public final class PermissionDeniedException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 403 answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public PermissionDeniedException(ErrorDetails error) {
    super(error);
  }
}

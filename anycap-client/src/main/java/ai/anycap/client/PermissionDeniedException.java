package ai.anycap.client;

/**
 * The key is valid but has no access to this API or model (HTTP 403).
 */
public final class PermissionDeniedException extends AnyCapServiceException {

  public PermissionDeniedException(ErrorDetails error) {
    super(error);
  }
}

package ai.anycap.client;

/**
 * The account has run out of credit (HTTP 402). Nothing more can be generated until it is topped
 * up, so a batch should stop rather than try the remaining jobs.
 */
public final class InsufficientCreditException extends AnyCapServiceException {

  /**
   * Used by the client when it maps a 402 answer; public so that tests and simulators can
   * build one.
   *
   * @param error what the server said
   */
  public InsufficientCreditException(ErrorDetails error) {
    super(error);
  }
}

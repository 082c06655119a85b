package ai.anycap.client;

/**
 * The account has run out of credit (HTTP 402). Nothing more can be generated until it is topped
 * up, so a batch should stop rather than try the remaining jobs.
 */
public final class InsufficientCreditException extends AnyCapServiceException {

  public InsufficientCreditException(ErrorDetails error) {
    super(error);
  }
}

package ai.anycap.batch;

/**
 * The user's input cannot make a batch: the message says what is wrong and how to fix it, and
 * nothing has been spent. The CLI prints it and exits with {@link ExitCodes#BAD_INPUT}.
 */
final class BadInputException extends RuntimeException {

  BadInputException(String message) {
    super(message);
  }

  BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

package ai.anycap.pipeline;

import ai.anycap.client.AnyCapException;

/**
 * The journal cannot be read or written: a line in the middle of it is corrupt (a torn last line
 * after a crash is tolerated), or the disk refused a write. The message names the file and line.
 */
public final class JournalException extends AnyCapException {

  /**
   * A journal failure.
   *
   * @param message what went wrong, naming the file and line
   * @param cause the underlying exception, or null
   */
  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}

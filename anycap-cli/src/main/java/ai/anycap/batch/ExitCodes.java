package ai.anycap.batch;

/** The exit codes of {@code anycap-batch}; docs/cli.md lists them for users. */
final class ExitCodes {

  /** Every job succeeded (or had succeeded in an earlier run). */
  static final int ALL_SUCCEEDED = 0;

  /**
   * Some jobs failed or did not run (budget, a halted batch), or the API could not be reached.
   */
  static final int SOME_FAILED = 1;

  /**
   * Bad input: a missing file, a bad template, an unknown column, a malformed row, a bad flag, no
   * API key. Nothing was spent.
   */
  static final int BAD_INPUT = 2;

  /**
   * Interrupted (Ctrl-C): the running jobs finished, the rest were not started; the summary and the
   * gallery were written. 128 + SIGINT, as shells report a process that SIGINT ended, so that a
   * script tells an interrupted batch from one whose jobs failed; a Java process ended by SIGINT
   * exits with it whatever the code returns.
   */
  static final int INTERRUPTED = 130;

  private ExitCodes() {}
}

package ai.anycap.batch;

/**
 * Where an interrupt of a run comes from: Ctrl-C (and {@code kill}) in the real process, a test's
 * hand in tests. {@code run} registers what stops it gracefully.
 */
@FunctionalInterface
interface Interrupts {

  /** No interrupts: nothing is registered. */
  Interrupts NONE = stop -> () -> {};

  /**
   * Calls {@code stop} when the process is interrupted, until the registration is closed. {@code
   * stop} may block until the run has written its summary and gallery.
   *
   * @return closes the registration
   */
  Registration onInterrupt(Runnable stop);

  /** A registered stop; closing it unregisters it. */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * The JVM's interrupts: a shutdown hook, which SIGINT (Ctrl-C) and SIGTERM run. The process then
   * ends with the signal's status, 130 for SIGINT, once the hook returns.
   */
  static Interrupts jvm() {
    return stop -> {
      Thread hook = new Thread(stop, "anycap-batch-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      return () -> {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it returns once the run has finished
        }
      };
    };
  }
}

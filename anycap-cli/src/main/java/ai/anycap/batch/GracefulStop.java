package ai.anycap.batch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Ctrl-C does to a run: no job starts after it, the running ones finish, and the summary and
 * the gallery are still written (the pipeline reports every job that never started as cancelled)
 * before the process ends, with exit code {@link ExitCodes#INTERRUPTED}. Registered with {@link
 * Interrupts}; {@link #run()} is the interrupt, and blocks until {@link #finished()} (at most {@link
 * #GRACE_SECONDS} seconds, after which the process ends anyway).
 */
final class GracefulStop implements Runnable {

  static final long GRACE_SECONDS = 60;

  private final Console console;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile CompletableFuture<?> run;

  GracefulStop(Console console) {
    this.console = console;
  }

  /** The run to stop; stopped at once if the interrupt came first. */
  void watch(CompletableFuture<?> run) {
    this.run = run;
    if (requested.get()) {
      run.cancel(true);
    }
  }

  /** Whether the run was interrupted. */
  boolean requested() {
    return requested.get();
  }

  /** The run has written what it writes: the interrupt may end the process now. */
  void finished() {
    finished.countDown();
  }

  @Override
  public void run() {
    if (!requested.compareAndSet(false, true)) {
      return;
    }
    console.err("stopping: no new jobs start; waiting for the running ones, then writing the gallery");
    CompletableFuture<?> r = run;
    if (r != null) {
      r.cancel(true);
    }
    try {
      finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package ai.anycap.client.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits between attempts without holding a thread. Injectable so that tests see the delays asked
 * for and never sleep.
 */
@FunctionalInterface
public interface Pause {

  /** Real time, on {@link CompletableFuture#delayedExecutor}. */
  Pause REAL = d -> CompletableFuture.runAsync(
      () -> {}, CompletableFuture.delayedExecutor(d.toNanos(), TimeUnit.NANOSECONDS));

  /** A future that completes once {@code delay} has passed. */
  CompletableFuture<Void> after(Duration delay);
}

package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.Retry;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Turns a {@link Retry} into Failsafe retry policies, the one place that does: for a job's
 * requests (only what {@link Failures#retryable} allows, at least the server's {@code
 * Retry-After}) and for a delivery to a sink (any failure a sink does not call final).
 */
final class RetryPolicies {

  private RetryPolicies() {}

  /** A retry of a request that failed, about to be waited for. */
  interface RetryListener {
    void scheduled(int attempt, Duration delay, Throwable cause);
  }

  /**
   * The policy for a generate or download request of one job.
   *
   * @param stop whether to give up at once (the run stops, or the job's time is up)
   * @param onRetry told of each retry before its delay
   */
  static <T> RetryPolicy<T> forRequests(Retry retry, BooleanSupplier stop, RetryListener onRetry) {
    return RetryPolicies.<T>builder(retry, Failures::retryable, stop, true)
        .onRetryScheduled(
            e -> onRetry.scheduled(e.getAttemptCount(), e.getDelay(), Failures.unwrap(e.getLastException())))
        .build();
  }

  /**
   * The policy for delivering one image to one sink.
   *
   * @param stop whether to give up at once (the pipeline closes)
   */
  static <T> RetryPolicy<T> forDelivery(Retry retry, BooleanSupplier stop) {
    return RetryPolicies.<T>builder(retry, Failures::retryableDelivery, stop, false).build();
  }

  private static <T> RetryPolicyBuilder<T> builder(
      Retry retry, Predicate<Throwable> retryable, BooleanSupplier stop, boolean honourRetryAfter) {
    return RetryPolicy.<T>builder()
        .handleIf((T result, Throwable failure) -> failure != null && retryable.test(failure))
        .abortIf((T result, Throwable failure) -> stop.getAsBoolean())
        .withMaxAttempts(retry.maxAttempts())
        .withDelayFn(
            ctx ->
                retry.delayBefore(
                    ctx.getAttemptCount(),
                    honourRetryAfter ? Failures.retryAfter(ctx.getLastException()) : null,
                    ThreadLocalRandom.current().nextDouble()));
  }
}

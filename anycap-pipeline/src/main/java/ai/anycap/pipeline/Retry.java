package ai.anycap.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * How a job's failed requests are retried: exponential backoff with jitter, {@code Retry-After}
 * honoured up to a cap, and only failures that can succeed on a second try (429, 5xx, transport
 * errors; never 400, 401, 402, 403, 404 or {@code retry_same_request: false}).
 *
 * <pre>{@code
 * Retry.exponential(3, Duration.ofSeconds(1), Duration.ofSeconds(30))   // 3 attempts in all
 *     .withMaxRetryAfter(Duration.ofSeconds(20));
 * }</pre>
 *
 * <p>The delay before retry {@code n} is {@code initialDelay * 2^(n-1)}, capped at {@code
 * maxDelay}, then spread by up to {@code jitter} (default 0.5: between half and all of it) so that
 * jobs failing together do not retry together. When the server sends {@code Retry-After}, the
 * delay is at least that long, but never longer than {@link #maxRetryAfter()} (default 60 s): a
 * server asking for hours must not stall a batch. Immutable.
 *
 * @param maxAttempts attempts in all, the first included; 1 means no retry
 * @param initialDelay the delay before the first retry
 * @param maxDelay the longest backoff delay
 * @param jitter the fraction of each delay that is randomised, from 0 to 1
 * @param maxRetryAfter the longest {@code Retry-After} honoured
 */
public record Retry(
    int maxAttempts, Duration initialDelay, Duration maxDelay, double jitter, Duration maxRetryAfter) {

  private static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);

  /**
   * A retry policy.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param initialDelay the delay before the first retry
   * @param maxDelay the longest backoff delay, at least {@code initialDelay}
   * @param jitter the fraction of each delay that is randomised, from 0 to 1
   * @param maxRetryAfter the longest {@code Retry-After} honoured
   */
  public Retry {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    if (initialDelay.isNegative() || maxDelay.isNegative() || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("retry delays must not be negative");
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay " + maxDelay + " is shorter than initialDelay " + initialDelay);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
    }
  }

  /**
   * Exponential backoff from {@code initialDelay} up to {@code maxDelay}, in at most {@code
   * maxAttempts} attempts, with jitter 0.5 and {@code Retry-After} honoured up to 60 s.
   *
   * @param maxAttempts attempts in all, the first included
   * @param initialDelay the delay before the first retry
   * @param maxDelay the longest backoff delay
   * @return the policy
   */
  public static Retry exponential(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    return new Retry(maxAttempts, initialDelay, maxDelay, 0.5, DEFAULT_MAX_RETRY_AFTER);
  }

  /**
   * {@return the default: 4 attempts in all, 1 s doubling to at most 30 s, jitter 0.5, {@code
   * Retry-After} honoured up to 60 s}
   */
  public static Retry defaults() {
    return exponential(4, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  /** {@return one attempt, no retry} */
  public static Retry none() {
    return exponential(1, Duration.ZERO, Duration.ZERO);
  }

  /**
   * This policy with another number of attempts.
   *
   * @param maxAttempts attempts in all, at least 1
   * @return the new policy
   */
  public Retry withMaxAttempts(int maxAttempts) {
    return new Retry(maxAttempts, initialDelay, maxDelay, jitter, maxRetryAfter);
  }

  /**
   * This policy with another jitter.
   *
   * @param jitter the fraction of each delay that is randomised, from 0 to 1
   * @return the new policy
   */
  public Retry withJitter(double jitter) {
    return new Retry(maxAttempts, initialDelay, maxDelay, jitter, maxRetryAfter);
  }

  /**
   * This policy with another cap on {@code Retry-After}.
   *
   * @param maxRetryAfter the longest {@code Retry-After} honoured
   * @return the new policy
   */
  public Retry withMaxRetryAfter(Duration maxRetryAfter) {
    return new Retry(maxAttempts, initialDelay, maxDelay, jitter, maxRetryAfter);
  }

  /**
   * The delay before a retry.
   *
   * @param retry the retry's number, 1 for the first retry
   * @param retryAfter the server's {@code Retry-After}, or null
   * @param random a random number in [0, 1), for the jitter
   * @return the delay: the backoff less its jitter, and at least the (capped) {@code Retry-After}
   */
  public Duration delayBefore(int retry, Duration retryAfter, double random) {
    long base = initialDelay.toNanos();
    for (int i = 1; i < retry && base < maxDelay.toNanos(); i++) {
      base = Math.multiplyExact(base, 2L);
    }
    base = Math.min(base, maxDelay.toNanos());
    long jittered = base - (long) (base * jitter * random);
    long floor = retryAfter == null ? 0 : Math.min(retryAfter.toNanos(), maxRetryAfter.toNanos());
    return Duration.ofNanos(Math.max(jittered, floor));
  }
}

package ai.anycap.pipeline.internal;

import ai.anycap.client.RateLimitException;
import dev.failsafe.RateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Paces generate requests across all jobs of a pipeline, so that a rate-limited server is met
 * near its limit instead of hammered.
 *
 * <p>Adaptive control is AIMD, as TCP does it: the number of requests allowed in flight halves on
 * a 429 (once per round: 429s from requests sent before the last cut do not cut again) and grows
 * by one per round of successes (1/limit per success), never above the configured concurrency. A
 * {@code Retry-After} pauses every job's next request, not just the one that got it; when the
 * pause ends, waiting jobs compete for the (now smaller) number of request slots, so they do not
 * all return at once. We chose AIMD over the SRE book's client-side throttling, which rejects
 * requests locally with a probability: a batch would rather wait than fail, and AIMD converges on
 * the server's rate without being told it. An optional fixed rate (Failsafe's smooth {@link
 * RateLimiter}) serves users who know their quota.
 */
public final class Throttle {

  private final boolean adaptive;
  private final int max;
  private final AsyncPermits slots;
  private final RateLimiter<Object> rate;
  private final ScheduledExecutorService scheduler;
  private final BiConsumer<Integer, Duration> onChange;
  private final long maxPauseNanos;
  private double limit;
  private long round;
  private long pausedUntil;

  /** A token for one request, remembering the round it started in. */
  public record Ticket(long round) {}

  public Throttle(
      boolean adaptive,
      int max,
      double ratePerSecond,
      Duration maxPause,
      ScheduledExecutorService scheduler,
      BiConsumer<Integer, Duration> onChange) {
    this.adaptive = adaptive;
    this.max = max;
    this.limit = max;
    this.slots = new AsyncPermits(max);
    this.rate =
        ratePerSecond > 0
            ? RateLimiter.smoothBuilder(Duration.ofNanos((long) (1_000_000_000L / ratePerSecond))).build()
            : null;
    this.scheduler = scheduler;
    this.onChange = onChange;
    this.maxPauseNanos = maxPause.toNanos();
  }

  /** Completes when a request may be sent: after any pause, within the rate, in a free slot. */
  public CompletableFuture<Ticket> beforeRequest() {
    long wait;
    synchronized (this) {
      wait = pausedUntil - System.nanoTime();
    }
    if (wait > 0) {
      return delay(wait).thenCompose(v -> beforeRequest());
    }
    if (rate != null) {
      Duration reserved = rate.reservePermit();
      if (!reserved.isZero() && !reserved.isNegative()) {
        return delay(reserved.toNanos()).thenCompose(v -> slot());
      }
    }
    return slot();
  }

  private CompletableFuture<Ticket> slot() {
    return slots.acquire().thenApply(v -> {
      synchronized (this) {
        return new Ticket(round);
      }
    });
  }

  /** Frees the request's slot and adapts to how it went. */
  public void afterRequest(Ticket ticket, Throwable failure) {
    slots.release();
    Integer newLimit = null;
    Duration pause = null;
    synchronized (this) {
      if (failure instanceof RateLimitException r && ticket.round() == round) {
        // Only the first 429 of a round acts: the others answer requests sent before it, and
        // would otherwise stack pause on pause and cut the limit to 1.
        round++;
        long wait = r.retryAfter().map(d -> Math.min(d.toNanos(), maxPauseNanos)).orElse(0L);
        if (adaptive && wait > 0) {
          long until = System.nanoTime() + wait;
          if (until > pausedUntil) {
            pausedUntil = until;
            pause = Duration.ofNanos(until - System.nanoTime());
          }
        }
        if (adaptive) {
          limit = Math.max(1, limit / 2);
          newLimit = (int) limit;
        }
      } else if (failure == null && adaptive && limit < max) {
        int before = (int) limit;
        limit = Math.min(max, limit + 1 / limit);
        if ((int) limit != before) {
          newLimit = (int) limit;
        }
      }
    }
    if (newLimit != null) {
      slots.limit(newLimit);
    }
    if (newLimit != null || pause != null) {
      onChange.accept(newLimit != null ? newLimit : limit(), pause != null ? pause : Duration.ZERO);
    }
  }

  /** Requests allowed in flight now. */
  public synchronized int limit() {
    return (int) limit;
  }

  /** Requests in flight now. */
  public int inFlight() {
    return slots.inUse();
  }

  /** The most requests in flight at once. */
  public int peak() {
    return slots.peak();
  }

  public void cancelWaiters(RuntimeException cause) {
    slots.cancelWaiters(cause);
  }

  private CompletableFuture<Void> delay(long nanos) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    scheduler.schedule(() -> f.complete(null), nanos, TimeUnit.NANOSECONDS);
    return f;
  }
}

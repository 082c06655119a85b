package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapServiceException.ErrorDetails;
import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.Retry;
import ai.anycap.testkit.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A batch as the pipeline runs it, on virtual time: {@code jobs} jobs, at most {@code concurrency}
 * at once, each sending generate requests through a {@link RequestPacer} to a server limited by
 * the simulator's own {@link TokenBucket}, and retrying 429s under a {@link Retry} policy. The
 * server answers 429 at once with a whole-second {@code Retry-After}, as the simulator does, and
 * everything else after {@code latency}. Deterministic, and fast: minutes of batch take
 * milliseconds, so goodput can be asserted without a wall clock.
 */
final class PacedBatchModel {

  /** A pace the pacer announced, and when. */
  record Announced(long at, RequestPace pace) {}

  record Outcome(
      long succeeded,
      long failed,
      long requests,
      long limited,
      double seconds,
      double rate,
      List<Long> sentAt,
      List<Announced> paces) {

    /** Succeeded jobs a second, over the server's rate. */
    double goodput() {
      return succeeded / seconds / rate;
    }

    /** The share of requests answered 429. */
    double limitedShare() {
      return (double) limited / requests;
    }
  }

  private final double rate;
  private final int burst;
  private final Duration latency;
  private int concurrency = 64;
  private int jobs = 1_000;
  private Retry retry = Retry.exponential(30, Duration.ofMillis(100), Duration.ofSeconds(5));
  private boolean adaptive = true;
  private double fixedRate = Double.POSITIVE_INFINITY;
  private double noise;
  private Duration jitter = Duration.ZERO;
  private Duration noiseRetryAfter = Duration.ofSeconds(1);

  PacedBatchModel(double rate, int burst, Duration latency) {
    this.rate = rate;
    this.burst = burst;
    this.latency = latency;
  }

  PacedBatchModel concurrency(int c) {
    this.concurrency = c;
    return this;
  }

  PacedBatchModel jobs(int n) {
    this.jobs = n;
    return this;
  }

  PacedBatchModel retry(Retry r) {
    this.retry = r;
    return this;
  }

  PacedBatchModel adaptive(boolean a) {
    this.adaptive = a;
    return this;
  }

  /** Answers this share of requests 429 (with this Retry-After) whatever the bucket holds. */
  PacedBatchModel noise(double share, Duration retryAfter) {
    this.noise = share;
    this.noiseRetryAfter = retryAfter;
    return this;
  }

  /**
   * Requests reach the server up to this long after they are sent, at random, as over a real
   * network and a server with several threads: the order the server sees is not quite the order
   * of sending, and the answers come back out of order too.
   */
  PacedBatchModel jitter(Duration j) {
    this.jitter = j;
    return this;
  }

  PacedBatchModel fixedRate(double r) {
    this.fixedRate = r;
    return this;
  }

  Outcome run() {
    VirtualTime time = new VirtualTime();
    TokenBucket server = new TokenBucket(rate, burst, time.clock());
    List<Announced> paces = new ArrayList<>();
    RequestPacer pacer = new RequestPacer(adaptive, fixedRate, retry.maxRetryAfter(), time::nanoTime, time,
        pace -> paces.add(new Announced(time.nanoTime(), pace)));
    Random random = new Random(42);
    Random noisy = new Random(7);
    Random late = new Random(3);
    List<Long> sentAt = new ArrayList<>();
    long[] counts = new long[5]; // started, succeeded, failed, requests, limited

    class Job {
      int attempt;

      void start() {
        counts[0]++;
        send();
      }

      void send() {
        pacer.beforeRequest().thenAccept(ticket -> {
          attempt++;
          counts[3]++;
          sentAt.add(time.nanoTime());
          long way = jitter.isZero() ? 0 : (long) (late.nextDouble() * jitter.toNanos());
          if (way == 0) {
            arrive(ticket);
          } else {
            time.schedule(() -> arrive(ticket), way);
          }
        });
      }

      void arrive(RequestPacer.Ticket ticket) {
        boolean refused = noise > 0 && noisy.nextDouble() < noise;
        long wait = refused ? 0 : server.tryAcquire();
        if (wait == 0 && !refused) {
          time.schedule(() -> {
            pacer.afterRequest(ticket, null);
            counts[1]++;
            next();
          }, latency.toNanos());
          return;
        }
        counts[4]++;
        Duration retryAfter = refused
            ? noiseRetryAfter
            : Duration.ofSeconds(Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
        RateLimitException limited = new RateLimitException(ErrorDetails.builder(429)
            .errorCode("RATE_LIMITED").message("slow down").retryAfter(retryAfter).build());
        time.schedule(() -> {
          pacer.afterRequest(ticket, limited);
          if (attempt >= retry.maxAttempts()) {
            counts[2]++;
            next();
            return;
          }
          Duration delay = retry.delayBefore(attempt, retryAfter, random.nextDouble());
          time.schedule(this::send, delay.toNanos());
        }, Duration.ofMillis(2).toNanos());
      }

      void next() {
        if (counts[0] < jobs) {
          new Job().start();
        }
      }
    }

    for (int i = 0; i < Math.min(concurrency, jobs); i++) {
      new Job().start();
    }
    time.runUntil(() -> counts[1] + counts[2] == jobs);
    return new Outcome(counts[1], counts[2], counts[3], counts[4], time.seconds(), rate, sentAt, paces);
  }
}

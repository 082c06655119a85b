package ai.anycap.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long the simulator takes to generate an image: a fixed time or a distribution, sampled once
 * per generate request. Only {@code POST /v1/image/generate} is delayed; discovery, status and
 * downloads answer at once. The wait holds no thread, so a 500 ms server can serve many clients.
 *
 * <pre>{@code
 * AnyCapSimulator.builder()
 *     .latency(Duration.ofMillis(500))                                       // every model
 *     .latency("seedream-5", Latency.logNormal(Duration.ofSeconds(2), Duration.ofSeconds(8)))
 *     .start();
 * }</pre>
 *
 * <p>Implementations must be thread-safe and draw randomness only from the generator they are
 * given, which the simulator seeds from its own seed and the request number so that runs repeat.
 */
@FunctionalInterface
public interface Latency {

  /**
   * The time one generation takes.
   *
   * @param random the only source of randomness to use; seeded per request by the simulator
   * @return never negative
   */
  Duration sample(RandomGenerator random);

  /**
   * No delay at all: the simulator's default.
   *
   * @return a latency of zero
   */
  static Latency none() {
    return fixed(Duration.ZERO);
  }

  /**
   * Always {@code delay}.
   *
   * @param delay not negative
   * @return a constant latency
   */
  static Latency fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    return random -> delay;
  }

  /**
   * Evenly spread between {@code min} and {@code max}, both included.
   *
   * @param min not negative
   * @param max at least {@code min}
   * @return a uniform latency
   */
  static Latency uniform(Duration min, Duration max) {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 <= min <= max, got " + min + " and " + max);
    }
    long lo = min.toNanos();
    long span = max.toNanos() - lo;
    return random -> Duration.ofNanos(lo + (span == 0 ? 0 : random.nextLong(span + 1)));
  }

  /**
   * Log-normal, as service latencies usually are: half the requests take less than {@code
   * median}, one in a hundred more than {@code p99}.
   *
   * @param median positive
   * @param p99 at least {@code median}
   * @return a log-normal latency
   */
  static Latency logNormal(Duration median, Duration p99) {
    Objects.requireNonNull(median, "median");
    Objects.requireNonNull(p99, "p99");
    if (median.isNegative() || median.isZero() || p99.compareTo(median) < 0) {
      throw new IllegalArgumentException("need 0 < median <= p99, got " + median + " and " + p99);
    }
    double mu = Math.log(median.toNanos());
    double sigma = Math.log((double) p99.toNanos() / median.toNanos()) / 2.3263478740408408;
    return random -> Duration.ofNanos(Math.round(Math.exp(mu + sigma * random.nextGaussian())));
  }
}

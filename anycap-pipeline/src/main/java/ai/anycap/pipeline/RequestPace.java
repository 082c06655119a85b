package ai.anycap.pipeline;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How fast a pipeline sends generate requests now: at most {@code requestsPerSecond}, evenly
 * spaced ({@link Double#POSITIVE_INFINITY} while nothing limits the pace but the concurrency),
 * and none at all for the next {@code pause} (a server's {@code Retry-After}).
 *
 * @param requestsPerSecond the pace, or positive infinity for none
 * @param pause how long every request is held from now; zero when no pause runs
 */
public record RequestPace(double requestsPerSecond, Duration pause) {

  /**
   * A pace.
   *
   * @param requestsPerSecond the pace, positive; positive infinity for none
   * @param pause how long every request is held from now; not negative
   */
  public RequestPace {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond must be positive, got " + requestsPerSecond);
    }
    Objects.requireNonNull(pause, "pause");
    if (pause.isNegative()) {
      throw new IllegalArgumentException("pause must not be negative, got " + pause);
    }
  }

  /** {@return whether a pace applies (rather than only the concurrency limit)} */
  public boolean limited() {
    return requestsPerSecond != Double.POSITIVE_INFINITY;
  }

  /** {@return whether every request is held now} */
  public boolean paused() {
    return !pause.isZero();
  }

  /** For example {@code "12.5 requests/s, paused for 1.000 s"} or {@code "unlimited"}. */
  @Override
  public String toString() {
    String rate = limited() ? String.format(Locale.ROOT, "%.1f requests/s", requestsPerSecond) : "unlimited";
    return paused() ? String.format(Locale.ROOT, "%s, paused for %.3f s", rate, pause.toNanos() / 1e9) : rate;
  }
}

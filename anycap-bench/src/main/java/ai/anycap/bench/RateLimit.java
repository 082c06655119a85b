package ai.anycap.bench;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.Retry;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A server rate limit of R = 50 generates a second (token bucket, burst 10, 429 with a whole-second
 * {@code Retry-After} when empty; generate latency 100 ms). Goodput is succeeded jobs over wall
 * time, divided by R; the 429 share is 429 answers over all generate requests the server saw.
 * Goal: goodput at least 0.95 R with at most 5% of requests answered 429, for the adaptive
 * pipeline. Three baselines at a fixed concurrency of 64 run for comparison, without goals: plain
 * exponential backoff from 100 ms that ignores {@code Retry-After}; the same honouring it per job;
 * and backoff from one second, honouring it.
 */
final class RateLimit {

  static final double R = 50;
  static final int BURST = 10;
  static final Duration LATENCY = Duration.ofMillis(100);
  static final int CONCURRENCY = 64;
  static final double GOODPUT_GOAL = 0.95;
  static final double SHARE_GOAL = 0.05;
  /** Enough attempts that no job gives up: the run measures pacing, not failure. */
  static final Retry BACKOFF = Retry.exponential(30, Duration.ofMillis(100), Duration.ofSeconds(5));

  private RateLimit() {}

  /** Backing off from a second, as {@link Retry#defaults()} does, with attempts enough. */
  static final Retry PATIENT = Retry.exponential(30, Duration.ofSeconds(1), Duration.ofSeconds(30));

  private enum Variant {
    ADAPTIVE("adaptive pace (AIMD on the rate + shared Retry-After pause), C<=64", true, BACKOFF, true),
    PLAIN("fixed C=64, plain exponential backoff from 100 ms (Retry-After ignored)", false,
        BACKOFF.withMaxRetryAfter(Duration.ZERO), false),
    FIXED("fixed C=64, exponential backoff from 100 ms, Retry-After honoured per job", false, BACKOFF, false),
    PATIENT_FIXED("fixed C=64, exponential backoff from 1 s, Retry-After honoured per job", false, PATIENT, false);

    final String label;
    final boolean adaptive;
    final Retry retry;
    final boolean graded;

    Variant(String label, boolean adaptive, Retry retry, boolean graded) {
      this.label = label;
      this.adaptive = adaptive;
      this.retry = retry;
      this.graded = graded;
    }
  }

  static List<Row> run(boolean quick) {
    int jobs = quick ? 600 : 3_000;
    WarmUp.once();
    List<Row> rows = new ArrayList<>();
    for (Variant v : Variant.values()) {
      rows.addAll(measure(v, jobs));
    }
    return rows;
  }

  private static List<Row> measure(Variant v, int jobs) {
    Progress.say(String.format(Locale.ROOT, "   %s: %d jobs at R = %.0f/s (ideal %.0f s)", v.label, jobs, R, jobs / R));
    ThrottleLog throttle = new ThrottleLog();
    try (AnyCapSimulator sim = AnyCapSimulator.builder().latency(LATENCY).rateLimit(R, BURST).seed(42).start();
        Scratch out = Scratch.create("rate-limit");
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.client())
            .concurrency(CONCURRENCY)
            .adaptiveRate(v.adaptive)
            .retry(v.retry)
            .outputRoot(out.path())
            .listener(throttle)
            .build()) {
      BatchReport report = pipeline.run(Workload.literal("rate-" + v.name().toLowerCase(Locale.ROOT), jobs));
      SimulatorCounters c = sim.counters();
      long all = c.requests(SimulatorCounters.GENERATE);
      long limited = c.requests(SimulatorCounters.GENERATE, 429);
      double goodput = report.imagesPerSecond();
      double ratio = goodput / R;
      double share = all == 0 ? 0 : (double) limited / all;
      Progress.say(String.format(Locale.ROOT, "   %.1f images/s (%.3f R), %d of %d generates got 429 (%.1f%%)",
          goodput, ratio, limited, all, 100 * share));
      String note = String.format(Locale.ROOT,
          "%d of %d jobs succeeded in %.1f s (ideal %.1f s), %d failed; %d generate requests, %d of them 429;"
              + " %d retries; %s; peak generates in flight at the server %d",
          report.succeeded(), jobs, report.wallTime().toNanos() / 1e9, jobs / R, report.failed(), all, limited,
          report.retries(), throttle.describe(), c.peakGeneratesInFlight());
      String goalNote = v.graded ? "" : " (baseline)";
      return List.of(
          new Row("rate limit", v.label + ": goodput",
              String.format(Locale.ROOT, "%.1f images/s", goodput),
              String.format(Locale.ROOT, "R = %.0f/s, goal >= %.2f R%s", R, GOODPUT_GOAL, goalNote),
              ratio, v.graded ? Verdict.atLeast(ratio, GOODPUT_GOAL) : Verdict.REFERENCE, note),
          new Row("rate limit", v.label + ": 429 share",
              String.format(Locale.ROOT, "%d of %d = %.1f%%", limited, all, 100 * share),
              String.format(Locale.ROOT, "goal <= %.0f%%%s", 100 * SHARE_GOAL, goalNote),
              share, v.graded ? Verdict.atMost(share, SHARE_GOAL) : Verdict.REFERENCE, ""));
    }
  }
}

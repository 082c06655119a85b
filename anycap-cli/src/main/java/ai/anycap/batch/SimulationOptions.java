package ai.anycap.batch;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.AnyCapSimulatorBuilder;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --simulate} and the knobs of the simulator it starts in-process. */
final class SimulationOptions {

  static final String DEFAULT_LATENCY = "200ms-1200ms";

  @Option(names = "--simulate",
      description = "Run against the AnyCap simulator, started in this process: no key, no network, simulated images.")
  boolean simulate;

  @Option(names = "--simulate-latency", paramLabel = "TIME[-TIME]",
      description = "How long each simulated image takes: 0, 500ms, 2s, or a range such as 200ms-1200ms (the default).")
  String latency;

  @Option(names = "--simulate-fault", paramLabel = "SPEC",
      description = "A failure for the simulator to inject, such as server-error:503:p=0.1, do-not-retry:on=3,"
          + " rate-limited:1s:n=2, truncated-download:on=1. Repeatable.")
  List<String> faults = new ArrayList<>();

  @Option(names = "--simulate-rate-limit", paramLabel = "PER_SECOND[:BURST]",
      description = "Answer 429 above this rate, to watch the pipeline slow down and recover.")
  String rateLimit;

  @Option(names = "--simulate-seed", paramLabel = "N",
      description = "The seed for simulated faults and latencies, to repeat a run exactly.")
  Long seed;

  /**
   * The simulator these options describe, not yet started.
   *
   * @throws BadInputException when a knob is set without {@code --simulate}, or does not parse
   */
  AnyCapSimulatorBuilder builder() {
    AnyCapSimulatorBuilder b = AnyCapSimulator.builder();
    b.latency(parseLatency(latency == null ? DEFAULT_LATENCY : latency));
    for (String spec : faults) {
      try {
        b.fault(Fault.parse(spec));
      } catch (IllegalArgumentException e) {
        throw new BadInputException("--simulate-fault " + spec + ": " + e.getMessage(), e);
      }
    }
    if (rateLimit != null) {
      String[] parts = rateLimit.split(":");
      try {
        double perSecond = Double.parseDouble(parts[0]);
        int burst = parts.length > 1 ? Integer.parseInt(parts[1]) : (int) Math.ceil(perSecond);
        b.rateLimit(perSecond, burst);
      } catch (IllegalArgumentException e) {
        throw new BadInputException(
            "--simulate-rate-limit " + rateLimit + ": expected PER_SECOND[:BURST], such as 5:5 (" + e.getMessage() + ")", e);
      }
    }
    if (seed != null) {
      b.seed(seed);
    }
    return b;
  }

  /** Refuses simulator knobs given without {@code --simulate}, which would silently do nothing. */
  void checkConsistent() {
    if (simulate) {
      return;
    }
    String knob = latency != null ? "--simulate-latency"
        : !faults.isEmpty() ? "--simulate-fault"
        : rateLimit != null ? "--simulate-rate-limit"
        : seed != null ? "--simulate-seed"
        : null;
    if (knob != null) {
      throw new BadInputException(knob + " only applies to a simulated run: add --simulate");
    }
  }

  /** A short description for the first line of a simulated run. */
  String describe(AnyCapSimulator sim) {
    StringBuilder s = new StringBuilder("AnyCap simulator at ").append(sim.baseUri())
        .append(" (seed ").append(sim.seed())
        .append(", latency ").append(latency == null ? DEFAULT_LATENCY : latency);
    if (rateLimit != null) {
      s.append(", rate limit ").append(rateLimit).append("/s");
    }
    s.append(", faults: ").append(sim.faults().isEmpty() ? "none" : sim.faults().toString()).append(')');
    return s.toString();
  }

  static Latency parseLatency(String spec) {
    String s = spec.strip().toLowerCase(Locale.ROOT);
    try {
      int dash = s.indexOf('-');
      if (dash > 0) {
        return Latency.uniform(duration(s.substring(0, dash)), duration(s.substring(dash + 1)));
      }
      return Latency.fixed(duration(s));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          "--simulate-latency " + spec + ": expected 0, 500ms, 2s or a range such as 200ms-1200ms (" + e.getMessage() + ")", e);
    }
  }

  /** A duration as the CLI writes them: {@code 0}, {@code 500ms}, {@code 2s}, {@code 5m}. */
  static Duration duration(String s) {
    String v = s.strip();
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    if (v.endsWith("m") && !v.endsWith("ms")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
    }
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
    }
    throw new IllegalArgumentException("'" + s + "' needs a unit, ms, s or m");
  }
}

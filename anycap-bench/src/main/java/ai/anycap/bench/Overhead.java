package ai.anycap.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The client's own cost: CPU time per image with a simulator that answers at once (latency 0).
 * The simulator runs in a process of its own, and so does the client ({@link OverheadRun}), which
 * runs a warm-up batch and then reads its own process CPU time (all its threads: HTTP, pipeline,
 * file writes, JIT and GC) around the measured batch. Goal: at most 0.5 ms per image.
 */
final class Overhead {

  static final int CONCURRENCY = 16;
  static final double GOAL_MS = 0.5;

  private Overhead() {}

  static List<Row> run(boolean quick) {
    int warmUp = quick ? 1_000 : 5_000;
    int jobs = quick ? 2_000 : 10_000;
    Progress.say("   " + warmUp + " warm-up jobs, then " + jobs + " measured, C=" + CONCURRENCY
        + ", simulator in another process");
    try (SimulatorProcess sim = SimulatorProcess.start(List.of("--latency-ms", "0", "--seed", "42"));
        Scratch out = Scratch.create("overhead")) {
      Duration simCpu0 = sim.cpu();
      ChildJvm.Outcome o = ChildJvm.run(
          ChildJvm.command(List.of(), OverheadRun.class.getName(),
              List.of(sim.baseUri().toString(), out.path().toString(), Integer.toString(warmUp),
                  Integer.toString(jobs), Integer.toString(CONCURRENCY))),
          Duration.ofMinutes(20));
      Duration simCpu = sim.cpu().minus(simCpu0);
      String parameter = "latency 0, " + jobs + " jobs after " + warmUp + " warm-up, C=" + CONCURRENCY;
      long succeeded = o.number("succeeded");
      if (!o.ok() || succeeded <= 0) {
        return List.of(new Row("overhead", parameter, "not measured", "goal <= 0.5 ms", Double.NaN, Verdict.MISS,
            "the client run failed (exit " + o.exitCode() + "): " + o.tail(4)));
      }
      double ms = o.number("cpuNanos") / 1e6 / succeeded;
      double wall = o.number("wallNanos") / 1e9;
      double ratio = ms / GOAL_MS;
      Progress.say(String.format(Locale.ROOT, "   %.3f ms CPU per image, %.0f images/s", ms, succeeded / wall));
      double withoutJit = (o.number("cpuNanos") / 1e6 - o.number("jitMillis")) / succeeded;
      String note = String.format(Locale.ROOT,
          "%.3f ms per image without the JIT compiler's threads; "
              + "%d of %d succeeded in %.1f s (%.0f images/s), client CPU busy %.0f%% of one core; %.2f threads started"
              + " per image; GC %d ms; the simulator process used %.3f ms CPU per image (warm-up included)",
          withoutJit, succeeded, jobs, wall, succeeded / wall, 100.0 * o.number("cpuNanos") / o.number("wallNanos"),
          (double) o.number("threadsStarted") / succeeded, o.number("gcMs"),
          simCpu.toNanos() / 1e6 / (warmUp + jobs));
      note += o.output().stream().filter(l -> l.startsWith("CPU ")).map(l -> "; client CPU " + l.substring(4))
          .findFirst().orElse("");
      return List.of(new Row("overhead", parameter,
          String.format(Locale.ROOT, "%.3f ms CPU/image", ms),
          String.format(Locale.ROOT, "goal <= %.1f ms", GOAL_MS), ratio, Verdict.atMost(ratio, 1.0), note));
    }
  }
}

package ai.anycap.bench;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Little's law: with C requests in flight, each taking L, a pipeline can do at most C/L images a
 * second. The simulator (in this JVM, no rate limit) answers every generate after exactly L = 500
 * ms; the pipeline runs {@code waves * C} jobs at concurrency C, with adaptive concurrency off
 * (there are no 429s, so on and off behave alike). Throughput is succeeded jobs over the batch's
 * whole wall time, ramp-up, validation pass, downloads and last wave included; goal: at least
 * 0.95 of C/L.
 */
final class LittlesLaw {

  static final Duration LATENCY = Duration.ofMillis(500);
  static final int[] CONCURRENCY = {16, 64, 256};
  static final double GOAL = 0.95;

  private LittlesLaw() {}

  static List<Row> run(boolean quick) {
    int waves = quick ? 6 : 20;
    WarmUp.once();
    List<Row> rows = new ArrayList<>();
    for (int c : CONCURRENCY) {
      rows.add(measure(c, waves));
    }
    return rows;
  }

  private static Row measure(int c, int waves) {
    int jobs = waves * c;
    double bound = c / (LATENCY.toNanos() / 1e9);
    Progress.say(String.format(Locale.ROOT, "   C=%d: %d jobs, bound %.0f images/s", c, jobs, bound));
    JobTimes times = new JobTimes();
    try (AnyCapSimulator sim = AnyCapSimulator.builder().latency(LATENCY).seed(42).start();
        Scratch out = Scratch.create("littles-law");
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.client())
            .concurrency(c)
            .outputRoot(out.path())
            .listener(times)
            .build()) {
      long cpu0 = Machine.processCpuNanos();
      BatchReport report = pipeline.run(Workload.literal("c" + c, jobs));
      long cpu = Machine.processCpuNanos() - cpu0;
      SimulatorCounters counters = sim.counters();
      double measured = report.imagesPerSecond();
      double ratio = measured / bound;
      double wall = report.wallTime().toNanos() / 1e9;
      String note = String.format(Locale.ROOT,
          "%d of %d jobs succeeded in %.2f s (ideal %.2f s); %s; peak generates in flight at the server %d;"
              + " CPU busy %.0f%% of %d cores (client and simulator share this JVM)%s",
          report.succeeded(), jobs, wall, waves * LATENCY.toNanos() / 1e9, times.describe(),
          counters.peakGeneratesInFlight(), 100.0 * cpu / (wall * 1e9) / Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().availableProcessors(),
          report.failed() + report.retries() > 0
              ? "; " + report.failed() + " failed, " + report.retries() + " retries"
              : "");
      Progress.say(String.format(Locale.ROOT, "   C=%d: %.1f images/s (%.3f of bound)", c, measured, ratio));
      return new Row("Little's law", "C=" + c + ", L=500 ms, " + jobs + " jobs",
          String.format(Locale.ROOT, "%.1f images/s", measured),
          String.format(Locale.ROOT, "C/L = %.0f/s, goal >= %.2f", bound, GOAL),
          ratio, Verdict.atLeast(ratio, GOAL), note);
    }
  }
}

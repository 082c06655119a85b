package ai.anycap.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory at 100,000 jobs: a generated CSV of 100,000 rows, and one of 10,000, each run by
 * {@link MemoryRun} in a child JVM capped at {@code -Xmx64m} (with {@code
 * -XX:+ExitOnOutOfMemoryError}, so that running out of heap ends the run instead of hanging it).
 * The simulator runs in a process of its own: it remembers every generation it served, which
 * would otherwise be counted against the pipeline. Each run must complete every job; the ratio of
 * the child's peak resident set ({@code VmHWM}) at 100,000 to that at 10,000 shows whether memory
 * grows with the batch. Goal: at most 1.2.
 */
final class Memory {

  static final String HEAP = "-Xmx64m";
  static final int CONCURRENCY = 16;
  static final double GOAL = 1.2;

  private Memory() {}

  static List<Row> run(boolean quick) throws IOException {
    int small = quick ? 1_000 : 10_000;
    int large = quick ? 10_000 : 100_000;
    List<Row> rows = new ArrayList<>();
    try (Scratch dir = Scratch.create("memory")) {
      ChildJvm.Outcome s = runOne(dir, small);
      rows.add(completion(small, s));
      ChildJvm.Outcome l = runOne(dir, large);
      rows.add(completion(large, l));
      long rssSmall = peakRss(s);
      long rssLarge = peakRss(l);
      String parameter = "peak RSS, " + count(large) + " / " + count(small) + " jobs";
      String goal = String.format(Locale.ROOT, "goal <= %.1f", GOAL);
      if (rssSmall > 0 && rssLarge > 0) {
        double ratio = (double) rssLarge / rssSmall;
        boolean both = s.ok() && l.ok();
        rows.add(new Row("memory", parameter,
            String.format(Locale.ROOT, "%.1f / %.1f MiB", rssLarge / 1024.0, rssSmall / 1024.0),
            goal, ratio, both ? Verdict.atMost(ratio, GOAL) : Verdict.MISS,
            (both ? "" : "a run did not complete: its peak is the one it had reached when it ended, and the goal"
                + " needs both runs to complete; ")
                + String.format(Locale.ROOT, "heap committed at the end %s vs %s MiB; peak heap used (sum of pool"
                    + " peaks) %s vs %s MiB; live threads at most %s vs %s",
                mib(l.number("heapCommittedKib")), mib(s.number("heapCommittedKib")),
                mib(l.number("heapPeakUsedKib")), mib(s.number("heapPeakUsedKib")),
                figure(l.number("peakThreads")), figure(s.number("peakThreads")))));
      } else {
        rows.add(new Row("memory", parameter, "not measured", goal, Double.NaN, Verdict.MISS,
            "no peak resident set could be read (not Linux?)"));
      }
    }
    return rows;
  }

  private static ChildJvm.Outcome runOne(Scratch dir, int rows) throws IOException {
    Path csv = dir.resolve("jobs-" + rows + ".csv");
    Workload.writeCsv(csv, rows);
    Path out = dir.resolve("out-" + rows);
    Progress.say("   " + count(rows) + " jobs from " + csv.getFileName() + " in a child JVM with " + HEAP);
    try (SimulatorProcess sim = SimulatorProcess.start(List.of("--latency-ms", "0", "--seed", "42"))) {
      ChildJvm.Outcome o = ChildJvm.run(
          ChildJvm.command(List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"), MemoryRun.class.getName(),
              List.of(csv.toString(), out.toString(), sim.baseUri().toString(), Integer.toString(CONCURRENCY))),
          Duration.ofMinutes(45));
      Progress.say(o.ok()
          ? String.format(Locale.ROOT, "   %d succeeded in %.1f s, peak RSS %.1f MiB",
              o.number("succeeded"), o.number("wallMs") / 1000.0, o.number("vmHwmKib") / 1024.0)
          : "   the run failed (exit " + o.exitCode() + "): " + o.tail(5));
      return o;
    } finally {
      Scratch.delete(out);
    }
  }

  private static Row completion(int rows, ChildJvm.Outcome o) {
    long succeeded = o.number("succeeded");
    boolean complete = o.ok() && succeeded == rows;
    String note = o.ok()
        ? String.format(Locale.ROOT, "%.1f s, %.0f images/s; %d failed; %d GCs taking %d ms; %d threads started",
            o.number("wallMs") / 1000.0, succeeded / (o.number("wallMs") / 1000.0), o.number("failed"),
            o.number("gcCount"), o.number("gcMs"), o.number("threadsStarted"))
        : "exit " + o.exitCode() + ": " + o.tail(1);
    String live = liveHeap(o);
    if (!live.isEmpty()) {
      note += "; heap live after GC by jobs finished: " + live;
    }
    String rss = peakRss(o) > 0 ? String.format(Locale.ROOT, "peak RSS %.1f MiB", peakRss(o) / 1024.0) : "peak RSS ?";
    String measured = o.ok()
        ? String.format(Locale.ROOT, "%s %d/%d, %s", complete ? "completed" : "NOT completed", succeeded, rows, rss)
        : String.format(Locale.ROOT, "NOT completed (ended after %s of %d jobs), %s", finished(o), rows, rss);
    return new Row("memory", count(rows) + " jobs from CSV, " + HEAP + ", C=" + CONCURRENCY, measured,
        "completes", o.ok() ? (double) succeeded / rows : Double.NaN, complete ? Verdict.PASS : Verdict.MISS, note);
  }

  /** The child's own VmHWM when it lived to print it, else the peak polled from outside. */
  private static long peakRss(ChildJvm.Outcome o) {
    long own = o.number("vmHwmKib");
    return own > 0 ? own : o.polledPeakRssKib();
  }

  /** "40000+" from the last progress line, or "?". */
  private static String finished(ChildJvm.Outcome o) {
    String last = "?";
    for (String line : o.output()) {
      if (line.startsWith("PROGRESS ")) {
        last = line.replaceAll(".*finished=(\\d+).*", "$1") + "+";
      }
    }
    return last;
  }

  private static String mib(long kib) {
    return kib < 0 ? "?" : String.format(Locale.ROOT, "%.1f", kib / 1024.0);
  }

  private static String figure(long n) {
    return n < 0 ? "?" : Long.toString(n);
  }

  /** "10000: 21.0 MiB, 20000: 33.5 MiB, ..." from the child's progress lines. */
  private static String liveHeap(ChildJvm.Outcome o) {
    StringBuilder s = new StringBuilder();
    for (String line : o.output()) {
      if (line.startsWith("PROGRESS ")) {
        String finished = line.replaceAll(".*finished=(\\d+).*", "$1");
        long kib = Long.parseLong(line.replaceAll(".*liveHeapKib=(\\d+).*", "$1"));
        s.append(s.length() == 0 ? "" : ", ").append(finished)
            .append(String.format(Locale.ROOT, ": %.1f MiB", kib / 1024.0));
      }
    }
    return s.toString();
  }

  private static String count(int n) {
    return n % 1000 == 0 ? (n / 1000) + "k" : Integer.toString(n);
  }
}

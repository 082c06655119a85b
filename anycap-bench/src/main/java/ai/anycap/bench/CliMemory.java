package ai.anycap.bench;

import ai.anycap.testkit.AnyCapSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLI's memory: a generated CSV of 100,000 rows through {@code anycap-batch run} (validation,
 * estimate, the run, the summary and the paged gallery), the CLI in a child JVM capped at {@code
 * -Xmx64m} ({@link CliMemoryRun}) against the simulator in a process of its own (latency 0), at
 * {@code --concurrency 64}. It must complete every row, and the heap left after a full collection
 * once 100,000 jobs have finished must be at most that at 10,000 plus {@value #GROWTH_MIB} MiB:
 * what the CLI keeps must not grow with the batch. The smallest heap after the collections the JVM
 * chose is reported too; it counts garbage no collection has reached yet (see {@link LiveHeap}).
 */
final class CliMemory {

  static final String HEAP = "-Xmx64m";
  static final int CONCURRENCY = 64;
  static final int GROWTH_MIB = 4;

  private static final Pattern PROGRESS =
      Pattern.compile("^PROGRESS finished=(\\d+) liveHeapKib=(-?\\d+) collectedKib=(-?\\d+)");
  private static final Pattern SUCCEEDED = Pattern.compile("^\\s+succeeded\\s+(\\d+)\\s*$");

  /** The heap at one point of the batch, in KiB (-1 for none): the smallest the JVM left, and the live set. */
  private record Heap(long smallest, long collected) {}

  private CliMemory() {}

  static List<Row> run(boolean quick) throws IOException {
    int rows = quick ? 10_000 : 100_000;
    List<Row> result = new ArrayList<>();
    try (Scratch dir = Scratch.create("cli-memory")) {
      Path csv = dir.resolve("jobs-" + rows + ".csv");
      Workload.writeCsv(csv, rows);
      Path templates = dir.resolve("templates.json");
      Files.writeString(templates, "{\"product_hero\": \"E-commerce product photo: {product_name}, {color},"
          + " studio lighting, white background\"}\n");
      Path out = dir.resolve("out");
      Progress.say("   " + count(rows) + " rows through anycap-batch run in a child JVM with " + HEAP
          + ", --concurrency " + CONCURRENCY);
      String loadBefore = Machine.currentLoadAverage();
      ChildJvm.Outcome o;
      try (SimulatorProcess sim = SimulatorProcess.start(List.of("--latency-ms", "0", "--seed", "42"))) {
        ProcessBuilder pb = ChildJvm.command(List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"), CliMemoryRun.class.getName(),
            List.of("run", csv.toString(), "--templates", templates.toString(), "--template", "product_hero",
                "--value", "product_name={name}", "--output-key", "{sku}.png", "--id-column", "sku",
                "--concurrency", Integer.toString(CONCURRENCY), "--out", out.toString()));
        pb.environment().put("ANYCAP_API_KEY", AnyCapSimulator.DEFAULT_CLIENT_KEY);
        pb.environment().put("ANYCAP_API_ENDPOINT", sim.baseUri().toString());
        o = ChildJvm.run(pb, Duration.ofMinutes(60));
      } finally {
        Scratch.delete(out);
      }
      String load = "load average " + loadBefore + " before, " + Machine.currentLoadAverage() + " after";
      Map<Long, Heap> live = liveHeap(o);
      long succeeded = succeeded(o);
      boolean complete = o.ok() && succeeded == rows;
      Progress.say(complete
          ? String.format(Locale.ROOT, "   %d succeeded in %.1f s, peak RSS %.1f MiB", succeeded,
              o.number("wallMs") / 1000.0, o.number("vmHwmKib") / 1024.0)
          : "   the run failed (exit " + o.exitCode() + "): " + o.tail(5));
      result.add(completion(rows, o, succeeded, complete, live, load));
      result.add(growth(rows, o, complete, live));
    }
    return result;
  }

  private static Row completion(int rows, ChildJvm.Outcome o, long succeeded, boolean complete, Map<Long, Heap> live,
      String load) {
    long rss = o.number("vmHwmKib") > 0 ? o.number("vmHwmKib") : o.polledPeakRssKib();
    String measured = String.format(Locale.ROOT, "%s %d/%d, peak RSS %s", complete ? "completed" : "NOT completed",
        Math.max(succeeded, 0), rows, rss > 0 ? String.format(Locale.ROOT, "%.1f MiB", rss / 1024.0) : "?");
    StringBuilder note = new StringBuilder();
    if (o.ok()) {
      note.append(String.format(Locale.ROOT, "the whole command (checks, run, summary, gallery) %.1f s; %d GCs taking"
          + " %d ms; heap committed at the end %.1f MiB", o.number("wallMs") / 1000.0, o.number("gcCount"),
          o.number("gcMs"), o.number("heapCommittedKib") / 1024.0));
    } else {
      note.append("exit ").append(o.exitCode()).append(": ").append(o.tail(3));
    }
    note.append("; heap after a full GC by jobs finished: ");
    note.append(byJobs(live, Heap::collected))
        .append(", after the last (gallery, summary): ").append(mib(o.number("afterLastTenthCollectedKib")))
        .append("; the smallest heap after the JVM's own GCs, by the same: ").append(byJobs(live, Heap::smallest))
        .append(", after the last: ").append(mib(o.number("afterLastTenthLiveHeapKib")))
        .append("; ").append(load);
    return new Row("CLI memory", count(rows) + " CSV rows through anycap-batch run, " + HEAP + ", C=" + CONCURRENCY,
        measured, "completes", o.ok() ? (double) Math.max(succeeded, 0) / rows : Double.NaN,
        complete ? Verdict.PASS : Verdict.MISS, note.toString());
  }

  private static Row growth(int rows, ChildJvm.Outcome o, boolean complete, Map<Long, Heap> live) {
    long tenth = rows / 10;
    Long first = live.containsKey(tenth) ? live.get(tenth).collected() : null;
    Long last = live.containsKey((long) rows) ? live.get((long) rows).collected() : null;
    String parameter = "heap live after a full GC, " + count(rows) + " vs " + count(tenth)
        + " jobs finished";
    String goal = "goal <= " + count(tenth) + " + " + GROWTH_MIB + " MiB";
    if (first == null || last == null || first < 0 || last < 0) {
      return new Row("CLI memory", parameter, "not measured", goal, Double.NaN, Verdict.MISS,
          "no GC reading at " + count(tenth) + " or " + count(rows) + " jobs"
              + (complete ? "" : " (the run did not complete)"));
    }
    double bound = first + GROWTH_MIB * 1024.0;
    double ratio = last / bound;
    String after = "";
    long gallery = o.number("afterLastTenthCollectedKib");
    if (gallery > 0) {
      after = String.format(Locale.ROOT, "; while the gallery and the summary were written: %s (%s the bound)",
          mib(gallery), gallery <= bound ? "within" : "over");
    }
    return new Row("CLI memory", parameter, mib(last) + " / " + mib(first), goal, ratio,
        complete ? Verdict.atMost(ratio, 1.0) : Verdict.MISS,
        String.format(Locale.ROOT, "bound %s; growth %+.1f MiB over %d jobs%s", mib((long) bound),
            (last - first) / 1024.0, rows - tenth, after));
  }

  /** The heap by jobs finished, from the child's progress lines. */
  private static Map<Long, Heap> liveHeap(ChildJvm.Outcome o) {
    Map<Long, Heap> live = new LinkedHashMap<>();
    for (String line : o.output()) {
      Matcher m = PROGRESS.matcher(line);
      if (m.find()) {
        live.put(Long.parseLong(m.group(1)), new Heap(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
      }
    }
    return live;
  }

  /** One reading of each point of the batch, as "10k: 18.8 MiB, 20k: ...". */
  private static String byJobs(Map<Long, Heap> live, ToLongFunction<Heap> reading) {
    List<String> parts = new ArrayList<>();
    live.forEach((n, heap) -> parts.add(count(n) + ": " + mib(reading.applyAsLong(heap))));
    return String.join(", ", parts);
  }

  /** The "succeeded" count of the CLI's summary, or -1. */
  private static long succeeded(ChildJvm.Outcome o) {
    long n = -1;
    for (String line : o.output()) {
      Matcher m = SUCCEEDED.matcher(line);
      if (m.find()) {
        n = Long.parseLong(m.group(1));
      }
    }
    return n;
  }

  private static String mib(long kib) {
    return kib < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
  }

  private static String count(long n) {
    return n % 1000 == 0 ? (n / 1000) + "k" : Long.toString(n);
  }
}

package ai.anycap.bench;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.testkit.AnyCapSimulator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Little's law: with C requests in flight, each taking L, a pipeline can do at most C/L images a
 * second. The simulator runs in a process of its own (no rate limit) and answers every generate
 * after exactly L (once warmed up: see {@link SimulatorProcess#warmUp}); the pipeline, in this JVM, runs {@code
 * waves * C} jobs at concurrency C.
 * Throughput is succeeded jobs over the batch's whole wall time, ramp-up, validation pass,
 * downloads and last wave included; goal: at least 0.95 of C/L. L grows with C (500 ms for C =
 * 16 and 64, 2 s for 256, 10 s for 1,024) so that C/L stays within what the machine's CPU can
 * serve, and so that the largest row holds a thousand generations in flight as real ones (5 to 30
 * s each) would: each must cost a socket, not a thread, which the note shows (the client JVM's
 * live threads and open file descriptors at their peak).
 *
 * <p>Every full row's batch takes a minute at the bound. The batch's opening and its end (the last
 * calls answered one by one) cost about the same time whatever its length; in batches of 10 and 20
 * s they took 1.2 to 2.2% of C/L, on a margin of 3 to 5 points, and C = 64 and 256 missed the
 * goal in 3 of their 14 runs on the 2-core machine. A minute, the length of the 1,024 row and of a
 * batch of some thousand images, keeps them under 1% up to C = 256 (at 1,024, whose L is a sixth
 * of the minute, about 1.6%) and measures what the pipeline sustains.
 */
final class LittlesLaw {

  /** A row: the concurrency, the latency, and how many waves of C jobs a full and a quick run do. */
  private record Point(int concurrency, Duration latency, int waves, int quickWaves) {}

  private static final List<Point> POINTS = List.of(
      new Point(16, Duration.ofMillis(500), 120, 6),
      new Point(64, Duration.ofMillis(500), 120, 6),
      new Point(256, Duration.ofSeconds(2), 30, 3),
      new Point(1024, Duration.ofSeconds(10), 6, 2));
  static final double GOAL = 0.95;
  /** A model other than the measured one (the pipeline's default), answered at once, to warm the simulator up. */
  private static final String WARM_UP_MODEL = "seedream-5";
  private static final int WARM_UP_JOBS = 2_000;

  private LittlesLaw() {}

  static List<Row> run(boolean quick) {
    WarmUp.once();
    List<Row> rows = new ArrayList<>();
    for (Point p : POINTS) {
      rows.add(measure(p.concurrency(), p.latency(), quick ? p.quickWaves() : p.waves()));
    }
    return rows;
  }

  private static Row measure(int c, Duration latency, int waves) {
    int jobs = waves * c;
    double seconds = latency.toNanos() / 1e9;
    double bound = c / seconds;
    String l = latency.toMillis() % 1000 == 0 ? latency.toSeconds() + " s" : latency.toMillis() + " ms";
    Progress.say(String.format(Locale.ROOT, "   C=%d, L=%s: %d jobs, bound %.0f images/s", c, l, jobs, bound));
    Timeline times = new Timeline();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (SimulatorProcess sim = SimulatorProcess.start(List.of("--latency-ms", Long.toString(latency.toMillis()),
            "--model-latency-ms", WARM_UP_MODEL + "=0", "--seed", "42"));
        Scratch out = Scratch.create("littles-law");
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(AnyCapClient.builder().endpoint(sim.baseUri()).apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY)
                .exchangeListener(times).build())
            .concurrency(c)
            .outputRoot(out.path())
            .listener(times)
            .build()) {
      sim.warmUp(WARM_UP_MODEL, WARM_UP_JOBS, Math.min(c, 64), Double.POSITIVE_INFINITY);
      try (Peaks peaks = Peaks.sample(threads)) {
        int threadsBefore = threads.getThreadCount();
        long started0 = threads.getTotalStartedThreadCount();
        long cpu0 = Machine.processCpuNanos();
        Duration simCpu0 = sim.cpu();
        long batchStarted = System.nanoTime();
        BatchReport report = pipeline.run(Workload.literal("c" + c, jobs));
        long batchEnded = System.nanoTime();
        long cpu = Machine.processCpuNanos() - cpu0;
        double simCpu = sim.cpu().minus(simCpu0).toNanos();
        double measured = report.imagesPerSecond();
        double ratio = measured / bound;
        double wall = report.wallTime().toNanos() / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        String note = String.format(Locale.ROOT,
            "%d of %d jobs succeeded in %.2f s (ideal %.2f s); %s; peak generates in flight at the simulator %d;"
                + " client JVM: %d live threads before the batch, at most %d during it, %d started during it,"
                + " at most %d open file descriptors; CPU busy: client %.0f%%, simulator %.0f%%"
                + " of %d cores%s",
            report.succeeded(), jobs, wall, waves * seconds, times.describe(c, batchStarted, batchEnded),
            sim.counters().path("peak_generates_in_flight").asLong(-1),
            threadsBefore, peaks.threads(), threads.getTotalStartedThreadCount() - started0, peaks.descriptors(),
            100.0 * cpu / (wall * 1e9) / cores, 100.0 * simCpu / (wall * 1e9) / cores, cores,
            report.failed() + report.retries() > 0
                ? "; " + report.failed() + " failed, " + report.retries() + " retries"
                : "");
        Progress.say(String.format(Locale.ROOT, "   C=%d: %.1f images/s (%.3f of bound), at most %d threads",
            c, measured, ratio, peaks.threads()));
        return new Row("Little's law", "C=" + c + ", L=" + l + ", " + jobs + " jobs",
            String.format(Locale.ROOT, "%.1f images/s", measured),
            String.format(Locale.ROOT, "C/L = %.0f/s, goal >= %.2f", bound, GOAL),
            ratio, Verdict.atLeast(ratio, GOAL), note);
      }
    }
  }

  /**
   * Samples this JVM's live threads and open file descriptors every 50 ms while open, keeping the
   * most of each (the sampler's own thread included).
   */
  private static final class Peaks implements AutoCloseable {
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "anycap-bench-sampler");
      t.setDaemon(true);
      return t;
    });
    private final AtomicLong threads = new AtomicLong();
    private final AtomicLong descriptors = new AtomicLong(-1);

    static Peaks sample(ThreadMXBean mx) {
      Peaks p = new Peaks();
      mx.resetPeakThreadCount();
      p.sampler.scheduleAtFixedRate(() -> {
        p.threads.accumulateAndGet(mx.getPeakThreadCount(), Math::max);
        p.descriptors.accumulateAndGet(openDescriptors(), Math::max);
      }, 0, 50, TimeUnit.MILLISECONDS);
      return p;
    }

    long threads() {
      return threads.get();
    }

    long descriptors() {
      return descriptors.get();
    }

    private static long openDescriptors() {
      long n = 0;
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
        for (Path ignored : fds) {
          n++;
        }
      } catch (IOException | RuntimeException e) {
        return -1; // not Linux
      }
      return n;
    }

    @Override
    public void close() {
      sampler.shutdownNow();
    }
  }
}

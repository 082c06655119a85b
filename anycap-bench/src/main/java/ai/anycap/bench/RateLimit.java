package ai.anycap.bench;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.Retry;
import ai.anycap.testkit.AnyCapSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A server rate limit of R = 50 generates a second (token bucket, burst 10, 429 with a whole-second
 * {@code Retry-After} when empty), the simulator in a process of its own. Goodput is succeeded
 * jobs over wall time, divided by R; the 429 share is 429 answers over all generate requests the
 * simulator saw. Three conditions: quiet (generate latency 100 ms), jitter (log-normal latency,
 * median 100 ms, one in a hundred over a second: answers come back late and out of order), and
 * CPU load (another process spins on {@value #LOAD_THREADS} threads throughout). In each, the
 * adaptive pipeline and three fixed-concurrency baselines run {@value #REPEATS} times each; the
 * table gives the worst and the median. Goals for the adaptive pipeline: quiet and jitter,
 * goodput at least 0.95 R with at most 5% of requests refused, worst of the runs; CPU load, a
 * median goodput above every baseline's median.
 *
 * <p>With {@code --warm}, each pipeline first runs a batch of {@value #WARM_JOBS} jobs against the
 * same server, unmeasured, and the row measures its second: what a long-lived pipeline (a service,
 * a queue worker) does with a pace it learned in the batch before. Every client runs the first
 * batch, so the baselines' second batch gets the same warm JVM and connections.
 */
final class RateLimit {

  static final double R = 50;
  static final int BURST = 10;
  static final int CONCURRENCY = 64;
  static final double GOODPUT_GOAL = 0.95;
  static final double SHARE_GOAL = 0.05;
  static final int JOBS = 6_000;
  static final int QUICK_JOBS = 1_000;
  /** With {@code --warm}: the unmeasured batch each pipeline runs first. */
  static final int WARM_JOBS = 1_000;
  static final int REPEATS = 3;
  static final int LOAD_THREADS = 2;
  /** Enough attempts that no job gives up: the run measures pacing, not failure. */
  static final Retry BACKOFF = Retry.exponential(30, Duration.ofMillis(100), Duration.ofSeconds(5));
  /** Backing off from a second, as {@link Retry#defaults()} does, with attempts enough. */
  static final Retry PATIENT = Retry.exponential(30, Duration.ofSeconds(1), Duration.ofSeconds(30));

  private RateLimit() {}

  /** What else goes on while the batch runs. */
  enum Condition {
    QUIET("quiet", "100"),
    JITTER("jitter", "log-normal:100:1000"),
    CPU_LOAD("cpu-load", "100");

    final String flag;
    final String latency;

    Condition(String flag, String latency) {
      this.flag = flag;
      this.latency = latency;
    }

    String describe() {
      return switch (this) {
        case QUIET -> "quiet, latency 100 ms";
        case JITTER -> "jitter, latency log-normal (median 100 ms, p99 1 s)";
        case CPU_LOAD -> "CPU load (" + LOAD_THREADS + " spinning threads), latency 100 ms";
      };
    }

    static Condition named(String name) {
      for (Condition c : values()) {
        if (c.flag.equalsIgnoreCase(name.strip()) || c.name().equalsIgnoreCase(name.strip())) {
          return c;
        }
      }
      throw new IllegalArgumentException("no rate-limit variant '" + name + "'; there are quiet, jitter, cpu-load");
    }
  }

  private enum Client {
    ADAPTIVE("adaptive pace (learned rate + shared Retry-After pause), C<=64", true, BACKOFF),
    PLAIN("fixed C=64, plain exponential backoff from 100 ms (Retry-After ignored)", false,
        BACKOFF.withMaxRetryAfter(Duration.ZERO)),
    FIXED("fixed C=64, exponential backoff from 100 ms, Retry-After honoured per job", false, BACKOFF),
    PATIENT_FIXED("fixed C=64, exponential backoff from 1 s, Retry-After honoured per job", false, PATIENT);

    final String label;
    final boolean adaptive;
    final Retry retry;

    Client(String label, boolean adaptive, Retry retry) {
      this.label = label;
      this.adaptive = adaptive;
      this.retry = retry;
    }
  }

  /** One batch: goodput over R, share of requests refused, and what else it saw. */
  private record Run(double goodput, double share, String note) {}

  /**
   * @param adaptiveOnly leaves out the fixed-concurrency baselines: the CPU-load goal, which
   *     compares with them, is then reported but not judged
   * @param warm measures each pipeline's second batch, after {@value #WARM_JOBS} jobs unmeasured
   */
  static List<Row> run(boolean quick, Set<Condition> conditions, boolean adaptiveOnly, boolean warm) {
    int jobs = quick ? QUICK_JOBS : JOBS;
    int repeats = quick ? 1 : REPEATS;
    WarmUp.once();
    List<Row> rows = new ArrayList<>();
    for (Condition condition : EnumSet.copyOf(conditions)) {
      List<Client> clients = Arrays.stream(Client.values()).filter(c -> c.adaptive || !adaptiveOnly).toList();
      Progress.say("   -- " + condition.describe() + ": " + repeats + " x " + clients.size() + " batches of "
          + jobs + " jobs (ideal " + Math.round(jobs / R) + " s each)"
          + (warm ? ", each a pipeline's second batch, after " + WARM_JOBS + " jobs unmeasured" : ""));
      Map<Client, List<Run>> runs = new EnumMap<>(Client.class);
      try (AutoCloseable load = condition == Condition.CPU_LOAD ? CpuLoad.start(LOAD_THREADS) : () -> {}) {
        for (int i = 0; i < repeats; i++) { // clients take turns, so that a noisy minute hits them all
          for (Client client : clients) {
            runs.computeIfAbsent(client, c -> new ArrayList<>()).add(measure(condition, client, jobs, warm ? WARM_JOBS : 0));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      rows.addAll(rows(condition, runs, warm));
    }
    return rows;
  }

  private static Run measure(Condition condition, Client client, int jobs, int warmJobs) {
    Progress.say(String.format(Locale.ROOT, "   %s: %d jobs at R = %.0f/s", client.label, jobs, R));
    ThrottleLog throttle = new ThrottleLog();
    GenerateTimes times = new GenerateTimes();
    List<String> options = List.of("--rate-limit", R + ":" + BURST, "--latency-ms", condition.latency, "--seed", "42");
    try (SimulatorProcess sim = SimulatorProcess.start(options);
        Scratch out = Scratch.create("rate-limit");
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(AnyCapClient.builder().endpoint(sim.baseUri()).apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY)
                .exchangeListener(times).build())
            .concurrency(CONCURRENCY)
            .adaptiveRate(client.adaptive)
            .retry(client.retry)
            .outputRoot(out.path())
            .listener(throttle)
            .build()) {
      if (warmJobs > 0) {
        BatchReport first = pipeline.run(Workload.literal("warm-" + client.name().toLowerCase(Locale.ROOT), warmJobs));
        Progress.say(String.format(Locale.ROOT, "   first batch, unmeasured: %d of %d jobs, %.3f R, %s",
            first.succeeded(), warmJobs, first.imagesPerSecond() / R, throttle.describe()));
        throttle.reset();
      }
      // The server's counts before the measured batch: it sees the first batch's requests too.
      long allBefore = sim.generates(null);
      long limitedBefore = sim.generates(429);
      long acceptedBefore = sim.generates(200);
      JobSource workload = Workload.literal("rate-" + client.name().toLowerCase(Locale.ROOT), jobs);
      long start = System.nanoTime();
      BatchReport report = pipeline.run(workload);
      long end = System.nanoTime();
      long all = sim.generates(null) - allBefore;
      long limited = sim.generates(429) - limitedBefore;
      String time = times.describe(start, end, sim.generates(200) - acceptedBefore, R, BURST);
      double goodput = report.imagesPerSecond() / R;
      double share = all == 0 ? 0 : (double) limited / all;
      Progress.say(String.format(Locale.ROOT, "   %.3f R, %d of %d generates got 429 (%.1f%%), %s; %s",
          goodput, limited, all, 100 * share, throttle.describe(), time));
      String note = String.format(Locale.ROOT,
          "%.3f R / %.1f%% (%d of %d jobs in %.1f s, %d failed; %d requests; %s; %s)",
          goodput, 100 * share, report.succeeded(), jobs, report.wallTime().toNanos() / 1e9, report.failed(), all,
          throttle.describe(), time);
      return new Run(goodput, share, note);
    }
  }

  private static List<Row> rows(Condition condition, Map<Client, List<Run>> runs, boolean warm) {
    List<Row> rows = new ArrayList<>();
    double bestBaseline = runs.entrySet().stream().filter(e -> !e.getKey().adaptive)
        .mapToDouble(e -> median(e.getValue(), Run::goodput)).max().orElse(Double.NaN);
    for (Map.Entry<Client, List<Run>> e : runs.entrySet()) {
      Client client = e.getKey();
      List<Run> rs = e.getValue();
      double worstGoodput = rs.stream().mapToDouble(Run::goodput).min().orElse(Double.NaN);
      double worstShare = rs.stream().mapToDouble(Run::share).max().orElse(Double.NaN);
      double medianGoodput = median(rs, Run::goodput);
      String of = rs.size() == 1 ? "1 run" : "worst / median of " + rs.size();
      String parameter = condition.flag + (warm ? ", a pipeline's second batch" : "") + ", " + client.label;
      String goodputGoal;
      Verdict goodputVerdict;
      Verdict shareVerdict = Verdict.REFERENCE;
      double goodputRatio = worstGoodput;
      if (!client.adaptive) {
        goodputGoal = "baseline";
        goodputVerdict = Verdict.REFERENCE;
      } else if (condition == Condition.CPU_LOAD && Double.isNaN(bestBaseline)) {
        goodputGoal = "median > best baseline median (baselines not run)";
        goodputVerdict = Verdict.REFERENCE;
        goodputRatio = medianGoodput;
      } else if (condition == Condition.CPU_LOAD) {
        goodputGoal = String.format(Locale.ROOT, "median > best baseline median (%.3f R)", bestBaseline);
        goodputVerdict = medianGoodput > bestBaseline ? Verdict.PASS : Verdict.MISS;
        goodputRatio = medianGoodput;
      } else {
        goodputGoal = String.format(Locale.ROOT, "worst >= %.2f R", GOODPUT_GOAL);
        goodputVerdict = Verdict.atLeast(worstGoodput, GOODPUT_GOAL);
        shareVerdict = Verdict.atMost(worstShare, SHARE_GOAL);
      }
      String notes = String.join(" | ", rs.stream().map(Run::note).toList());
      rows.add(new Row("rate limit", parameter + ": goodput (" + of + ")",
          rs.size() == 1
              ? String.format(Locale.ROOT, "%.3f R", worstGoodput)
              : String.format(Locale.ROOT, "%.3f / %.3f R", worstGoodput, medianGoodput),
          "R = 50/s, " + goodputGoal, goodputRatio, goodputVerdict, notes));
      rows.add(new Row("rate limit", parameter + ": 429 share (" + of + ")",
          rs.size() == 1
              ? String.format(Locale.ROOT, "%.1f%%", 100 * worstShare)
              : String.format(Locale.ROOT, "%.1f%% / %.1f%%", 100 * worstShare, 100 * median(rs, Run::share)),
          shareVerdict == Verdict.REFERENCE ? "reported" : String.format(Locale.ROOT, "worst <= %.0f%%", 100 * SHARE_GOAL),
          worstShare, shareVerdict, ""));
    }
    return rows;
  }

  private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
    double[] v = runs.stream().mapToDouble(figure).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}

package ai.anycap.bench;

import ai.anycap.batch.AnyCapBatch;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the pipeline against the simulator on loopback and prints one table: each row a ratio
 * measured in this run against its goal (Little's law, a server rate limit, one limit shared by workers on Redis,
 * memory at 100,000 jobs, the CLI's memory at 100,000 rows, client CPU per image). A measuring tool, not a test: it never fails a build, and a missed goal
 * is reported, not hidden.
 *
 * <pre>
 * mvn -B -q package -Dmaven.test.skip=true -pl anycap-bench -am
 * java -jar anycap-bench/target/anycap-bench.jar                 # all scenarios, about an hour and a half
 * java -jar anycap-bench/target/anycap-bench.jar --quick --only littles-law,overhead
 * java -jar anycap-bench/target/anycap-bench.jar --only rate-limit --variant jitter
 * java -jar anycap-bench/target/anycap-bench.jar --only rate-limit --variant cpu-load --warm
 * java -jar anycap-bench/target/anycap-bench.jar --only shared-quota            # 4 worker JVMs on one Redis
 * </pre>
 *
 * <p>Progress goes to stderr, the table (Markdown) and its notes to stdout. The method behind each
 * row is in {@code docs/benchmarks.md}.
 */
public final class Benchmark {

  private Benchmark() {}

  public static void main(String[] args) {
    // As the anycap-batch command line does (see AnyCapBatch.widenCommonPool); ChildJvm passes it
    // on to the simulator and worker processes.
    AnyCapBatch.widenCommonPool();
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("anycap-bench: " + e.getMessage());
      usage(System.err);
      System.exit(2);
      return;
    }
    if (settings == null) {
      usage(System.out);
      return;
    }
    Machine before = Machine.describe();
    Progress.say("anycap-bench " + (settings.quick() ? "(quick) " : "") + "on " + before.summary());
    List<Row> rows = new ArrayList<>();
    for (Scenario scenario : Scenario.values()) {
      if (!settings.only().contains(scenario)) {
        continue;
      }
      long t0 = System.nanoTime();
      Progress.say("== " + scenario.title());
      try {
        rows.addAll(scenario.run(settings));
      } catch (Exception | Error e) {
        Progress.say("   " + scenario.title() + " could not run: " + e);
        e.printStackTrace(System.err);
        rows.add(Row.broken(scenario.title(), e));
      }
      Progress.say(String.format(Locale.ROOT, "   (%.0f s)", (System.nanoTime() - t0) / 1e9));
    }
    PrintStream out = System.out;
    out.println();
    out.println("anycap-bench" + (settings.quick() ? " --quick" : "") + ", " + before.summary());
    out.println("load average before: " + before.loadAverage() + "; after: " + Machine.currentLoadAverage());
    out.println();
    Row.printTable(rows, out);
    out.println();
    Row.printNotes(rows, out);
    long graded = rows.stream().filter(r -> r.verdict() == Verdict.PASS || r.verdict() == Verdict.MISS).count();
    long met = rows.stream().filter(r -> r.verdict() == Verdict.PASS).count();
    out.println();
    out.println(met + " of " + graded + " goals met.");
  }

  private static void usage(PrintStream out) {
    out.println("usage: java -jar anycap-bench.jar [--quick] [--only SCENARIO[,...]] [--variant VARIANT[,...]] [--adaptive-only]"
        + " [--warm]");
    out.println("  --quick        shorter runs (fewer jobs, one run of each rate-limit batch); figures are");
    out.println("                 noisier, and the memory rows compare 10,000 with 1,000 jobs instead of");
    out.println("                 100,000 with 10,000");
    out.println("  --only LIST    run only these: littles-law, rate-limit, shared-quota, memory, cli-memory, overhead");
    out.println("  --variant LIST the rate-limit row's conditions to run: quiet, jitter, cpu-load (default all)");
    out.println("  --adaptive-only  the rate-limit row runs the adaptive pipeline only, not the fixed-concurrency");
    out.println("                 baselines (a quarter of the time; the CPU-load goal is then not judged)");
    out.println("  --warm         the rate-limit row measures each pipeline's second batch: a batch of " + RateLimit.WARM_JOBS);
    out.println("                 jobs goes first, unmeasured, on the same pipeline (a long-lived pipeline's");
    out.println("                 pace carries what it learned over to its next batch)");
    out.println("  --help");
  }

  /**
   * What the command line asked for.
   *
   * @param quick shorter runs
   * @param only the scenarios to run
   * @param variants the rate-limit row's conditions to run
   * @param adaptiveOnly whether the rate-limit row leaves out the fixed-concurrency baselines
   * @param warm whether the rate-limit row measures each pipeline's second batch
   */
  record Settings(
      boolean quick, Set<Scenario> only, Set<RateLimit.Condition> variants, boolean adaptiveOnly, boolean warm) {

    /** The settings, or null when the arguments ask for help. */
    static Settings parse(String[] args) {
      boolean quick = false;
      boolean adaptiveOnly = false;
      boolean warm = false;
      Set<Scenario> only = EnumSet.allOf(Scenario.class);
      Set<RateLimit.Condition> variants = EnumSet.allOf(RateLimit.Condition.class);
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String value = null;
        int eq = a.indexOf('=');
        if (a.startsWith("--") && eq > 0) {
          value = a.substring(eq + 1);
          a = a.substring(0, eq);
        }
        switch (a) {
          case "-h", "--help" -> {
            return null;
          }
          case "--quick" -> quick = true;
          case "--adaptive-only" -> adaptiveOnly = true;
          case "--warm" -> warm = true;
          case "--only" -> {
            if (value == null) {
              if (i + 1 >= args.length) {
                throw new IllegalArgumentException("--only needs a list of scenarios");
              }
              value = args[++i];
            }
            only = EnumSet.noneOf(Scenario.class);
            for (String name : value.split(",")) {
              only.add(Scenario.named(name.strip()));
            }
          }
          case "--variant" -> {
            if (value == null) {
              if (i + 1 >= args.length) {
                throw new IllegalArgumentException("--variant needs a list of rate-limit conditions");
              }
              value = args[++i];
            }
            variants = EnumSet.noneOf(RateLimit.Condition.class);
            for (String name : value.split(",")) {
              variants.add(RateLimit.Condition.named(name));
            }
          }
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      return new Settings(quick, only, variants, adaptiveOnly, warm);
    }
  }
}

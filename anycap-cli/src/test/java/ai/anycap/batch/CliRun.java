package ai.anycap.batch;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine;

/** Runs anycap-batch in this JVM, as a user would from a shell, and keeps what it printed. */
record CliRun(int exitCode, String out, String err, List<AnyCapSimulator> simulators) {

  /** Runs with no environment variables at all: no key, unless {@code env} gives one. */
  static CliRun of(Map<String, String> env, String... args) {
    return of(UnaryOperator.identity(), env, args);
  }

  /** Runs in an environment that {@code setup} changes (interrupts, the gallery's page size). */
  static CliRun of(UnaryOperator<CliEnvironment> setup, Map<String, String> env, String... args) {
    List<AnyCapSimulator> started = new ArrayList<>();
    CommandLine cl = AnyCapBatch.commandLine(setup.apply(CliEnvironment.of(env, started::add)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString(), List.copyOf(started));
  }

  static CliRun of(String... args) {
    return of(Map.of(), args);
  }

  /** Everything printed, standard output first. */
  String all() {
    return out + err;
  }

  /** Every non-empty line printed, on either stream. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (String s : (out + "\n" + err).split("\\R")) {
      if (!s.isBlank()) {
        lines.add(s);
      }
    }
    return lines;
  }

  /** Generate requests the simulators this run started received (0 when none started). */
  long generateRequests() {
    return simulators.stream().mapToLong(s -> s.counters().requests(SimulatorCounters.GENERATE)).sum();
  }

  /** The repository's samples directory, found from the module directory tests run in. */
  static Path samples() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path s = dir.resolve("samples");
      if (Files.isRegularFile(s.resolve("products.csv"))) {
        return s;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no samples/products.csv above " + Path.of("").toAbsolutePath());
  }

  /** The arguments of the README's first command, with the output directory given and no latency. */
  static String[] sampleRun(Path out, String... more) {
    Path s = samples();
    List<String> args = new ArrayList<>(List.of(
        "run", s.resolve("products.csv").toString(),
        "--templates", s.resolve("templates.json").toString(),
        "--template", "product",
        "--output-key", "{sku}.png",
        "--out", out.toString()));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  static String[] simulatedSampleRun(Path out, String... more) {
    List<String> args = new ArrayList<>(Arrays.asList(sampleRun(out, more)));
    args.addAll(List.of("--simulate", "--simulate-latency", "0"));
    return args.toArray(String[]::new);
  }

  /** The manifest's lines of jobs that ended, without the {@code generated} lines written before downloads. */
  static java.util.List<String> resultLines(java.nio.file.Path manifest) throws java.io.IOException {
    return java.nio.file.Files.readAllLines(manifest).stream()
        .filter(l -> !l.contains("\"status\":\"generated\"")).toList();
  }
}

package ai.anycap.bench;

import static ai.anycap.batch.AnyCapBatch.COMMON_POOL_PARALLELISM;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Another JVM on this machine, started with the same {@code java} binary and classpath (the
 * benchmark jar), for work that must not share this process: a memory-capped run, a simulator
 * whose CPU must not count as the client's. {@code -D} options given to this JVM are passed on,
 * so that a flag such as {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} applies
 * to the whole run.
 */
final class ChildJvm {

  /** The line a child prints its figures on: {@code RESULT key=value key=value ...}. */
  static final String RESULT = "RESULT";

  private ChildJvm() {}

  static ProcessBuilder command(List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String pool = "-D" + COMMON_POOL_PARALLELISM + "=";
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-D") && !a.startsWith(pool)) {
        cmd.add(a);
      }
    }
    if (System.getProperty(COMMON_POOL_PARALLELISM) != null) {
      cmd.add(pool + System.getProperty(COMMON_POOL_PARALLELISM)); // given, or set by Benchmark.main
    }
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  /**
   * How a child ended: its exit code (-1: killed at the time limit), output, figures, and its
   * peak resident set as this process saw it from outside (polled; -1 where /proc has none).
   */
  record Outcome(int exitCode, List<String> output, Map<String, String> result, long polledPeakRssKib) {

    boolean ok() {
      return exitCode == 0 && !result.isEmpty();
    }

    long number(String key) {
      String v = result.get(key);
      return v == null ? -1 : Long.parseLong(v);
    }

    /** The last lines of output, for a note on why a child failed. */
    String tail(int lines) {
      return String.join(" / ", output.subList(Math.max(0, output.size() - lines), output.size()));
    }
  }

  /** Runs a child to its end, or kills it after {@code limit}. */
  static Outcome run(ProcessBuilder pb, Duration limit) {
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + pb.command(), e);
    }
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException e) {
        // The child is gone; what it said is kept.
      }
    }, "anycap-bench-child-output");
    reader.setDaemon(true);
    reader.start();
    int exit;
    long peakRss = -1;
    long deadline = System.nanoTime() + limit.toNanos();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    try {
      // Poll the child's peak resident set, so that a child that dies still has one.
      while (!p.waitFor(200, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
        peakRss = Math.max(peakRss, Machine.peakRssKib(status));
      }
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor();
        exit = -1;
        output.add("killed after " + limit.toSeconds() + " s");
      } else {
        exit = p.exitValue();
      }
      reader.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + pb.command(), e);
    }
    List<String> lines;
    synchronized (output) {
      lines = List.copyOf(output);
    }
    return new Outcome(exit, lines, parseResult(lines), peakRss);
  }

  private static Map<String, String> parseResult(List<String> lines) {
    Map<String, String> m = new HashMap<>();
    for (String line : lines) {
      if (line.startsWith(RESULT + " ")) {
        for (String pair : line.substring(RESULT.length() + 1).trim().split("\\s+")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
          }
        }
      }
    }
    return m;
  }

  /** Prints a child's figures in the form {@link #run} reads. */
  static void printResult(Map<String, ?> figures) {
    StringBuilder s = new StringBuilder(RESULT);
    figures.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
    System.out.println(s);
    System.out.flush();
  }
}

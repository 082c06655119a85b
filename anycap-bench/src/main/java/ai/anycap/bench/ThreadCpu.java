package ai.anycap.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process's threads by kind (JIT compiler, GC, HTTP client, pipeline, ...), read
 * from {@code /proc/self/task}, which, unlike {@code ThreadMXBean}, also lists the JVM's own
 * threads. Threads that ended between two readings are counted as "ended" from the process total.
 * Linux only; elsewhere the readings are empty.
 */
final class ThreadCpu {

  /** Clock ticks a second, as {@code /proc} counts them (USER_HZ; 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  private ThreadCpu() {}

  /** Thread id to {user ticks, system ticks, kind}. */
  static Map<String, long[]> read() {
    Map<String, long[]> m = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).split(" ");
          // After "(comm) ": state is field 3 of stat(5), so utime (14) and stime (15) are at 11, 12.
          m.put(task.getFileName() + ":" + comm, new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])});
        } catch (IOException | RuntimeException gone) {
          // The thread ended while we looked.
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return m;
  }

  /** This process's user and system ticks, from {@code /proc/self/stat}. */
  static long[] process() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /**
   * The CPU ticks used between two readings, by kind of thread, plus "user" and "system" for the
   * process as a whole; threads that ended in between appear as "ended threads".
   */
  static Map<String, Long> byKind(
      Map<String, long[]> before, long[] processBefore, Map<String, long[]> after, long[] processAfter) {
    Map<String, Long> byKind = new TreeMap<>();
    long live = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[] {0, 0});
      long ticks = e.getValue()[0] + e.getValue()[1] - b[0] - b[1];
      live += ticks;
      byKind.merge(kind(e.getKey().substring(e.getKey().indexOf(':') + 1)), ticks, Long::sum);
    }
    long user = processAfter[0] - processBefore[0];
    long system = processAfter[1] - processBefore[1];
    // Threads that ended during the interval are no longer listed; their time is the rest.
    long ended = Math.max(0, user + system - live);
    if (ended > 0) {
      byKind.merge("ended threads", ended, Long::sum);
    }
    byKind.put("user", user);
    byKind.put("system", system);
    return byKind;
  }

  /** {@link #byKind} as text: "user 1.0 s + system 0.5 s; by thread: HttpClient 0.7 s, ...". */
  static String describe(Map<String, Long> byKind) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "user %.1f s + system %.1f s; by thread: ",
        seconds(byKind.getOrDefault("user", 0L)), seconds(byKind.getOrDefault("system", 0L))));
    byKind.entrySet().stream()
        .filter(e -> e.getValue() > 0 && !e.getKey().equals("user") && !e.getKey().equals("system"))
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> s.append(String.format(Locale.ROOT, "%s %.1f s, ", e.getKey(), seconds(e.getValue()))));
    return s.substring(0, s.length() - 2);
  }

  static double seconds(long ticks) {
    return ticks / TICKS_PER_SECOND;
  }

  private static String kind(String comm) {
    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
      return "JIT";
    }
    if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
      return "GC/VM";
    }
    if (comm.startsWith("HttpClient")) {
      return "HttpClient";
    }
    if (comm.startsWith("anycap-pipelin")) {
      return "pipeline";
    }
    if (comm.startsWith("ForkJoinPool")) {
      return "common pool";
    }
    if (comm.equals("java") || comm.equals("main")) {
      return "main";
    }
    return "other";
  }
}

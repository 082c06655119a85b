package ai.anycap.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;

/**
 * The machine a run happened on, and the process figures the scenarios read: CPU time of this
 * process, peak resident memory. Linux figures come from {@code /proc}; elsewhere they are absent.
 *
 * @param summary one line: cores, memory, CPU model, JVM, OS, date
 * @param loadAverage the 1, 5 and 15 minute load averages when described
 */
record Machine(String summary, String loadAverage) {

  static Machine describe() {
    Runtime rt = Runtime.getRuntime();
    String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
    String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
    String memory = mem.isEmpty() ? "?" : String.format(Locale.ROOT, "%.1f GiB",
        Long.parseLong(mem.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
    String summary = String.format(Locale.ROOT,
        "%d cores (%s), %s RAM, %s %s (%s), %s %s, common-pool parallelism %d, %s",
        rt.availableProcessors(), cpu.isEmpty() ? "?" : cpu, memory,
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.version"),
        ForkJoinPool.getCommonPoolParallelism(),
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT)));
    return new Machine(summary, currentLoadAverage());
  }

  /** The first three fields of {@code /proc/loadavg}, or "?". */
  static String currentLoadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** CPU time this process has used, user and system, in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** This process's peak resident set ({@code VmHWM}) in KiB, or -1 where /proc has none. */
  static long peakRssKib() {
    return peakRssKib(Path.of("/proc/self/status"));
  }

  /** The {@code VmHWM} of a {@code /proc/<pid>/status} file in KiB, or -1. */
  static long peakRssKib(Path status) {
    String v = firstValue(status, "VmHWM");
    return v.isEmpty() ? -1 : Long.parseLong(v.replaceAll("[^0-9]", ""));
  }

  private static String firstValue(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
          return line.substring(colon + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or /proc not readable: the figure is absent.
    }
    return "";
  }
}

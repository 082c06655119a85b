package ai.anycap.bench;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.testkit.AnyCapSimulator;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client JVM of the overhead row: a warm-up batch, then a measured one, against a simulator in
 * another process; prints the CPU time this process used during the measured batch.
 *
 * <p>Arguments: the simulator's base URL, the output directory, warm-up jobs, measured jobs, the
 * concurrency.
 */
public final class OverheadRun {

  private OverheadRun() {}

  public static void main(String[] args) {
    AnyCapClient client = AnyCapClient.builder()
        .endpoint(URI.create(args[0]))
        .apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY)
        .build();
    Path out = Path.of(args[1]);
    int warmUp = Integer.parseInt(args[2]);
    int jobs = Integer.parseInt(args[3]);
    try (ImagePipeline pipeline = ImagePipeline.builder()
        .client(client)
        .concurrency(Integer.parseInt(args[4]))
        .outputRoot(out)
        .build()) {
      pipeline.run(Workload.literal("warmup", warmUp));
      System.out.println("warm-up done, measuring");
      Map<String, Object> before = MemoryRun.jvmFigures();
      Map<String, long[]> threads0 = ThreadCpu.read();
      long[] process0 = ThreadCpu.process();
      long cpu0 = Machine.processCpuNanos();
      long t0 = System.nanoTime();
      BatchReport report = pipeline.run(Workload.literal("measured", jobs));
      long wall = System.nanoTime() - t0;
      long cpu = Machine.processCpuNanos() - cpu0;
      System.out.println("measured batch done");
      long[] process1 = ThreadCpu.process();
      Map<String, long[]> threads1 = ThreadCpu.read();
      Map<String, Object> after = MemoryRun.jvmFigures();
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("succeeded", report.succeeded());
      figures.put("failed", report.failed());
      figures.put("cpuNanos", cpu);
      figures.put("wallNanos", wall);
      figures.put("threadsStarted", (long) after.get("threadsStarted") - (long) before.get("threadsStarted"));
      figures.put("gcMs", (long) after.get("gcMs") - (long) before.get("gcMs"));
      figures.put("gcCount", (long) after.get("gcCount") - (long) before.get("gcCount"));
      figures.put("cores", ManagementFactory.getOperatingSystemMXBean().getAvailableProcessors());
      Map<String, Long> split = ThreadCpu.byKind(threads0, process0, threads1, process1);
      figures.put("jitMillis", Math.round(ThreadCpu.seconds(split.getOrDefault("JIT", 0L)) * 1000));
      ChildJvm.printResult(figures);
      // Free text, so on a line of its own.
      System.out.println("CPU " + ThreadCpu.describe(split));
    }
  }
}

package ai.anycap.bench;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.testkit.AnyCapSimulator;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child JVM of the memory row: runs one CSV through a pipeline set up as the README shows it
 * (template, output key, id column, journal), against a simulator in another process, and prints
 * its figures, peak resident set last of all.
 *
 * <p>Arguments: the CSV, the output directory, the simulator's base URL, the concurrency.
 */
public final class MemoryRun {

  private MemoryRun() {}

  public static void main(String[] args) {
    Path csv = Path.of(args[0]);
    Path out = Path.of(args[1]);
    AnyCapClient client = AnyCapClient.builder()
        .endpoint(URI.create(args[2]))
        .apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY)
        .build();
    BatchReport report;
    try (ImagePipeline pipeline = ImagePipeline.builder()
        .client(client)
        .templates(Workload.TEMPLATES)
        .concurrency(Integer.parseInt(args[3]))
        .outputRoot(out)
        .journal(out.resolve("manifest.jsonl"))
        .listener(new LiveHeapReport())
        .build()) {
      report = pipeline.run(Workload.csv(csv));
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("succeeded", report.succeeded());
    figures.put("failed", report.failed());
    figures.put("skipped", report.skipped());
    figures.put("wallMs", report.wallTime().toMillis());
    figures.putAll(jvmFigures());
    figures.put("vmHwmKib", Machine.peakRssKib());
    ChildJvm.printResult(figures);
  }

  /**
   * Prints, every 10,000 finished jobs, the smallest heap left after any garbage collection since
   * the last report ({@link LiveHeap}), and so how far a run that runs out of heap got.
   */
  private static final class LiveHeapReport implements PipelineListener {
    private final LiveHeap heap = LiveHeap.watch();
    private long finished;

    @Override
    public void onJobFinished(JobResult result) {
      if (++finished % 10_000 == 0) {
        System.out.println("PROGRESS finished=" + finished + " liveHeapKib=" + heap.takeKib());
        System.out.flush();
      }
    }
  }

  /** Heap, GC and thread figures of this JVM so far. */
  static Map<String, Object> jvmFigures() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heapCommittedKib", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024);
    long peakUsed = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peakUsed += pool.getPeakUsage().getUsed();
      }
    }
    m.put("heapPeakUsedKib", peakUsed / 1024);
    long gcCount = 0;
    long gcMs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMs += Math.max(0, gc.getCollectionTime());
    }
    m.put("gcCount", gcCount);
    m.put("gcMs", gcMs);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    m.put("threadsStarted", threads.getTotalStartedThreadCount());
    m.put("peakThreads", threads.getPeakThreadCount());
    return m;
  }
}

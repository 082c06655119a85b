package ai.anycap.bench;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One worker of the shared-quota row, in a JVM of its own, as a worker on another machine would
 * be: an adaptive pipeline ({@link SharedQuota#RETRY}, {@link SharedQuota#CONCURRENCY} in flight)
 * working a {@link RedisJobQueue}, with the account's pace shared in that Redis or its own. It
 * prints {@value #READY} once its consumer is open, then works until its standard input closes
 * (the benchmark closes it when every job is in), so that it never outlives the benchmark.
 *
 * <p>Arguments: Redis URI, namespace, simulator base URI, worker name, {@code shared} or {@code
 * alone}.
 */
public final class SharedQuotaWorker {

  static final String READY = "READY";

  private SharedQuotaWorker() {}

  /**
   * Runs the worker.
   *
   * @param args Redis URI, namespace, simulator URI, worker name, {@code shared} or {@code alone}
   * @throws IOException if the scratch directory cannot be made
   */
  public static void main(String[] args) throws IOException {
    String redisUri = args[0];
    String namespace = args[1];
    URI simulator = URI.create(args[2]);
    String name = args[3];
    boolean shared = "shared".equals(args[4]);
    Path out = Files.createTempDirectory("anycap-bench-shared-quota-" + name + "-");
    try (RedisJobQueue queue = RedisJobQueue.builder().redisUri(redisUri).namespace(namespace).build()) {
      ImagePipelineBuilder b = ImagePipeline.builder()
          .client(AnyCapClient.builder().endpoint(simulator).apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY).build())
          .concurrency(SharedQuota.CONCURRENCY)
          .retry(SharedQuota.RETRY)
          .outputRoot(out);
      PaceProbe probe = shared ? new PaceProbe(queue.sharedPace(namespace)) : null;
      if (probe != null) {
        b.sharedPace(probe);
      }
      ImagePipeline pipeline = b.build();
      QueueConsumer consumer = queue.consumer(name);
      pipeline.work(consumer);
      System.out.println(READY);
      System.out.flush();
      long start = System.nanoTime();
      ScheduledExecutorService reports = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pace-report");
        t.setDaemon(true);
        return t;
      });
      reports.scheduleAtFixedRate(() -> System.out.println(String.format(Locale.ROOT, "t=%.0f s pace %s %s",
          (System.nanoTime() - start) / 1e9, pipeline.pace(), probe == null ? "" : probe.line())), 5, 5, TimeUnit.SECONDS);
      while (System.in.read() >= 0) {
        // The benchmark closes our stdin when it is done with us.
      }
      reports.shutdownNow();
      pipeline.close();
      consumer.close();
    } finally {
      Scratch.delete(out);
    }
  }
}

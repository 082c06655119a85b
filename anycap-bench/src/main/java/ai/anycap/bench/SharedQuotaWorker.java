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
      if (shared) {
        b.sharedPace(queue.sharedPace(namespace));
      }
      ImagePipeline pipeline = b.build();
      QueueConsumer consumer = queue.consumer(name);
      pipeline.work(consumer);
      System.out.println(READY);
      System.out.flush();
      while (System.in.read() >= 0) {
        // The benchmark closes our stdin when it is done with us.
      }
      pipeline.close();
      consumer.close();
    } finally {
      Scratch.delete(out);
    }
  }
}

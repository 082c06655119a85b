package ai.anycap.examples;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.redis.RedisJobQueue;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Example 4b: a worker of the seed's queue-based architecture. Takes jobs from the Redis queue
 * that {@link RedisProducer} filled and generates them with the same guarantees as a batch
 * (bounded concurrency, retries, budget); each job is then settled with the queue: done, back
 * for another try, or to the dead-letter stream with its error. Run as many workers as you like,
 * anywhere; one that dies leaves its jobs to the others. Ctrl-C stops one cleanly.
 *
 * <pre>
 * ANYCAP_API_KEY=... REDIS_URL=redis://localhost:6379 \
 *   java -cp anycap-examples/target/anycap-examples.jar ai.anycap.examples.RedisWorker   # or add --simulate
 * </pre>
 */
public final class RedisWorker {

  private RedisWorker() {}

  public static void main(String[] args) throws Exception {
    String redis = System.getenv().getOrDefault("REDIS_URL", "redis://localhost:6379");
    // Names must be unique among live workers: host and process id are.
    String name = InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();

    try (ExampleApi api = ExampleApi.fromArgs(args);
         RedisJobQueue queue = RedisJobQueue.builder().redisUri(redis).namespace(RedisProducer.NAMESPACE).build();
         ImagePipeline pipeline = pipeline(api.client(), Path.of("samples", "templates.json"), Path.of("output", "worker"));
         QueueConsumer consumer = queue.consumer(name)) {   // closed after the pipeline: it settles the last jobs

      CompletableFuture<BatchReport> work = pipeline.work(consumer);
      // Ctrl-C: take no new job, finish and settle the running ones; the rest stay queued. The hook
      // itself must wait (close() does): the JVM exits as soon as its hooks return.
      Runtime.getRuntime().addShutdownHook(new Thread(pipeline::close));
      System.out.println("worker " + name + " waiting for jobs on " + queue.stream());
      try {
        System.out.print(work.join());  // ends by itself only on a spent budget or a 401, 402 or 403
      } catch (CancellationException stopped) {
        System.out.println("worker " + name + " stopped");
      }
    }
  }

  /** A worker's pipeline is a batch pipeline: the same limits apply to each worker. */
  static ImagePipeline pipeline(AnyCapClient client, Path templates, Path out) {
    return ImagePipeline.builder()
        .client(client)
        .templates(PromptTemplates.fromJson(templates))  // the templates the producer's jobs name
        .concurrency(4)                                   // per worker
        .outputRoot(out)
        .build();
  }
}

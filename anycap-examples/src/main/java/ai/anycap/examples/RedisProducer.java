package ai.anycap.examples;

import ai.anycap.pipeline.CsvJobSource;
import ai.anycap.redis.RedisJobQueue;
import java.nio.file.Path;

/**
 * Example 4a: the producer of the seed's queue-based architecture. Puts one job per CSV row on a
 * Redis queue; any number of {@link RedisWorker}s, on any machines, generate them.
 *
 * <pre>
 * REDIS_URL=redis://localhost:6379 \
 *   java -cp anycap-examples/target/anycap-examples.jar ai.anycap.examples.RedisProducer samples/products.csv
 * </pre>
 */
public final class RedisProducer {

  /** Producer and workers must agree on it: it names the stream, the dead letters, the done set. */
  static final String NAMESPACE = "anycap-examples";

  private RedisProducer() {}

  public static void main(String[] args) {
    Path csv = Path.of(args.length > 0 ? args[0] : "samples/products.csv");
    String redis = System.getenv().getOrDefault("REDIS_URL", "redis://localhost:6379");

    try (RedisJobQueue queue = RedisJobQueue.builder().redisUri(redis).namespace(NAMESPACE).build()) {
      long added = enqueue(queue, csv);
      System.out.println("queued " + added + " jobs on " + queue.stream() + "; start workers with RedisWorker");
    }
  }

  /** Adds one job per row; waits while the queue is full, so a million rows never flood Redis. */
  static long enqueue(RedisJobQueue queue, Path csv) {
    // Jobs travel as JSON: the template's name and the row's values, not a rendered prompt, so
    // each worker renders them with its own templates.json.
    return queue.enqueueAll(CsvJobSource.builder()
        .file(csv)
        .template("product")
        .outputKey("{sku}.png")
        .idColumn("sku")            // a job that succeeded is never run again, whoever took it
        .build());
  }
}

package ai.anycap.redis;

import static org.assertj.core.api.Assertions.fail;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.QueuedJob;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Jobs, workers and waits shared by the Redis queue tests. */
final class QueueFixtures {

  static final PromptTemplates TEMPLATES =
      PromptTemplates.of(PromptTemplate.of("product_hero", "Product photo: {product_name}, studio lighting"));

  private QueueFixtures() {}

  /** {@code n} jobs with distinct prompts, ids {@code <prefix>-<i>}. */
  static List<ImageJob> jobs(String prefix, int n) {
    List<ImageJob> jobs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      jobs.add(job(prefix + "-" + i));
    }
    return jobs;
  }

  static ImageJob job(String id) {
    return ImageJob.builder()
        .id(id)
        .template("product_hero")
        .value("product_name", "item " + id)
        .outputKey(id + ".png")
        .build();
  }

  /**
   * Takes from {@code consumer} until it returns jobs, each take blocking for up to 100 ms (a job
   * another worker abandoned is claimed by a take, not pushed); fails after {@code timeout}.
   */
  static List<QueuedJob> takeWithin(QueueConsumer consumer, int max, Duration timeout, Supplier<Object> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<QueuedJob> taken = consumer.take(max, Duration.ofMillis(100));
      if (!taken.isEmpty()) {
        return taken;
      }
    }
    return fail("timed out after " + timeout + " taking a job; " + state.get());
  }

  static List<Map<String, String>> entries(RedisCommands<String, String> redis, String stream) {
    List<Map<String, String>> out = new ArrayList<>();
    for (StreamMessage<String, String> m : redis.xrange(stream, Range.create("-", "+"))) {
      out.add(m.getBody());
    }
    return out;
  }

  /** One worker: a pipeline of its own working the queue through a consumer of its own. */
  static final class Worker implements AutoCloseable {
    final String name;
    final ImagePipeline pipeline;
    final QueueConsumer consumer;
    final CompletableFuture<BatchReport> run;

    Worker(RedisJobQueue queue, String name, AnyCapClient client, Path outputRoot, int concurrency,
        ImageSink... sinks) {
      this(queue, name, client, outputRoot, concurrency, b -> {}, sinks);
    }

    /** With {@code configure} applied to the pipeline's builder last (a budget, a journal). */
    Worker(RedisJobQueue queue, String name, AnyCapClient client, Path outputRoot, int concurrency,
        Consumer<ImagePipelineBuilder> configure, ImageSink... sinks) {
      this.name = name;
      ImagePipelineBuilder b = ImagePipeline.builder()
          .client(client)
          .templates(TEMPLATES)
          .concurrency(concurrency)
          .outputRoot(outputRoot.resolve(name));
      for (ImageSink sink : sinks) {
        b.sink(sink);
      }
      configure.accept(b);
      this.pipeline = b.build();
      this.consumer = queue.consumer(name);
      this.run = pipeline.work(consumer);
    }

    /** Stops as a deployment would: stop taking, finish and settle running jobs, disconnect. */
    @Override
    public void close() {
      run.cancel(true);
      pipeline.close();
      consumer.close();
    }
  }
}

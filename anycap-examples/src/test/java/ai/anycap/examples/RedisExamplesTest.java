package ai.anycap.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/** The Redis producer and worker examples, against a real redis-server on loopback and the simulator. */
class RedisExamplesTest {

  @TempDir Path tmp;
  RedisServer redis;
  int port;
  final AnyCapSimulator sim = AnyCapSimulator.create();

  @BeforeEach
  void startRedis() throws IOException {
    port = freePort();
    redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
        .setting("save \"\"").setting("appendonly no").setting("dir " + tmp.toAbsolutePath())
        .build();
    redis.start();
  }

  @AfterEach
  void stop() throws IOException {
    sim.close();
    redis.stop();
  }

  @Test
  void theProducerQueuesEveryRow_andAWorkerGeneratesEachOnce() throws Exception {
    Path out = tmp.resolve("worker");
    try (RedisJobQueue queue = RedisJobQueue.builder().redisUri("redis://127.0.0.1:" + port).namespace("examples-test").build()) {
      assertThat(RedisProducer.enqueue(queue, ExamplesTest.samples().resolve("products.csv"))).isEqualTo(20);

      CompletableFuture<BatchReport> work;
      try (ImagePipeline pipeline = RedisWorker.pipeline(sim.client(), ExamplesTest.samples().resolve("templates.json"), out);
           QueueConsumer consumer = queue.consumer("worker-1")) {
        work = pipeline.work(consumer);
        sim.awaitCounters(c -> c.imagesGenerated() == 20, Duration.ofSeconds(30));
        // A job's result is published in the same atomic step that acknowledges and deletes it.
        awaitResults(queue, 20, Duration.ofSeconds(30));
        assertThat(queue.backlog()).isZero();
        work.cancel(true);
      }
      assertThat(work).isCancelled();
      assertThat(sim.counters().duplicateGenerations()).isZero();
      try (var files = Files.list(out)) {
        assertThat(files.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(20);
      }
      assertThat(out.resolve("MUG-001.png")).isRegularFile();
    } catch (CancellationException unexpected) {
      throw new AssertionError(unexpected);
    }
  }

  /** Blocks on the results stream (XREAD BLOCK) until it holds {@code n} entries. */
  private void awaitResults(RedisJobQueue queue, long n, Duration timeout) {
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setTimeout(timeout.plusSeconds(10));
      long deadline = System.nanoTime() + timeout.toNanos();
      String from = "0-0";
      long seen = 0;
      while (seen < n) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError(seen + " of " + n + " results after " + timeout + "; backlog " + queue.backlog());
        }
        List<StreamMessage<String, String>> read = connection.sync()
            .xread(XReadArgs.Builder.block(left).count(100), StreamOffset.from(queue.resultsStream(), from));
        for (StreamMessage<String, String> m : read) {
          from = m.getId();
          seen++;
        }
      }
    } finally {
      client.shutdown();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

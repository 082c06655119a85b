package ai.anycap.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
        awaitBacklog(queue, 0, Duration.ofSeconds(30)); // every job settled: acknowledged and deleted
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

  private static void awaitBacklog(RedisJobQueue queue, long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (queue.backlog() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("backlog still " + queue.backlog() + " after " + timeout);
      }
      Thread.sleep(50); // polling Redis: there is no event to wait on
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

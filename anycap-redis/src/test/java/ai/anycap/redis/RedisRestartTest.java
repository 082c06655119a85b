package ai.anycap.redis;

import static ai.anycap.redis.QueueFixtures.entries;
import static ai.anycap.redis.QueueFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.JobSource;
import ai.anycap.redis.QueueFixtures.Worker;
import ai.anycap.testkit.AnyCapSimulator;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redis crashes mid-batch and comes back on the same port with its append-only file. */
class RedisRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  @Test
  void workersAndProducerCarryOnWhenRedisRestarts(@TempDir Path redisDir, @TempDir Path out) throws Exception {
    ExecutorService producerThread = Executors.newSingleThreadExecutor();
    try (LogWatch log = LogWatch.attach("ai.anycap.redis");
        LocalRedis server = LocalRedis.start(redisDir);
        AnyCapSimulator sim = AnyCapSimulator.builder().latency(Duration.ofMillis(150)).seed(3).start();
        RedisJobQueue q = RedisJobQueue.builder()
            .redisUri(server.uri())
            .namespace("restart")
            .visibilityTimeout(Duration.ofSeconds(3))
            .commandTimeout(Duration.ofSeconds(2))
            .build()) {
      int first = 30;
      int more = 5;
      assertThat(q.enqueueAll(JobSource.of(jobs("before", first)))).isEqualTo(first);

      Worker a = new Worker(q, "a", sim.client(), out, 3);
      Worker b = new Worker(q, "b", sim.client(), out, 3);
      Worker c = new Worker(q, "c", sim.client(), out, 3);
      sim.awaitCounters(s -> s.imagesGenerated() >= 9, WAIT);

      CompletableFuture<String> settleFailed = log.line("cannot be settled while Redis is unavailable");
      CompletableFuture<String> producerWaits = log.line("retrying for up to");
      server.kill();
      // A producer that starts while Redis is down waits for it.
      CompletableFuture<Long> producer =
          CompletableFuture.supplyAsync(() -> q.enqueueAll(JobSource.of(jobs("during", more))), producerThread);
      // Keep Redis down until workers finished jobs they cannot settle, and the producer is waiting.
      log.await(settleFailed, "a settle to fail", WAIT);
      log.await(producerWaits, "the producer to wait", WAIT);
      long generatedWhileDown = sim.counters().imagesGenerated();
      server.start();

      RedisClient inspector = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> connection = inspector.connect();
          RedisEvents events = new RedisEvents(server.uri())) {
        RedisCommands<String, String> redis = connection.sync();
        int n = first + more;
        events.awaitEntries(q.resultsStream(), n, WAIT,
            () -> "results=" + redis.xlen(q.resultsStream()) + " stream=" + redis.xlen(q.stream()) + " "
                + sim.counters());
        assertThat(redis.xlen(q.resultsStream())).isEqualTo(n);
        assertThat(producer.get(10, TimeUnit.SECONDS)).isEqualTo(more);
        a.close();
        b.close();
        c.close();

        List<Map<String, String>> results = entries(redis, q.resultsStream());
        assertThat(results.stream().map(r -> r.get("id")).collect(Collectors.toSet())).hasSize(n);
        assertThat(redis.scard(q.doneSet())).isEqualTo(n);
        assertThat(redis.xlen(q.stream())).isZero();
        assertThat(redis.xlen(q.deadLetterStream())).isZero();
        assertThat(generatedWhileDown).isLessThan(n);
        assertThat(sim.counters().imagesGenerated()).isGreaterThanOrEqualTo(n);
      } finally {
        inspector.shutdown();
      }
    } finally {
      producerThread.shutdownNow();
    }
  }
}

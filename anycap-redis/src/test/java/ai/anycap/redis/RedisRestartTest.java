package ai.anycap.redis;

import static ai.anycap.redis.QueueFixtures.await;
import static ai.anycap.redis.QueueFixtures.entries;
import static ai.anycap.redis.QueueFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.JobSource;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import org.slf4j.LoggerFactory;

/** Redis crashes mid-batch and comes back on the same port with its append-only file. */
class RedisRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  @Test
  void workersAndProducerCarryOnWhenRedisRestarts(@TempDir Path redisDir, @TempDir Path out) throws Exception {
    ExecutorService producerThread = Executors.newSingleThreadExecutor();
    Logger queueLog = (Logger) LoggerFactory.getLogger("ai.anycap.redis");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    queueLog.addAppender(log);
    try (LocalRedis server = LocalRedis.start(redisDir);
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

      server.kill();
      // A producer that starts while Redis is down waits for it.
      CompletableFuture<Long> producer =
          CompletableFuture.supplyAsync(() -> q.enqueueAll(JobSource.of(jobs("during", more))), producerThread);
      // Keep Redis down until workers finished jobs they cannot settle, and the producer is waiting.
      await("a settle to fail", () -> logged(log, "cannot be settled while Redis is unavailable"), WAIT, log::toString);
      await("the producer to wait", () -> logged(log, "retrying for up to"), WAIT, log::toString);
      long generatedWhileDown = sim.counters().imagesGenerated();
      server.start();

      RedisClient inspector = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> connection = inspector.connect()) {
        RedisCommands<String, String> redis = connection.sync();
        int n = first + more;
        await("every job's result", () -> redis.xlen(q.resultsStream()) == n, WAIT,
            () -> "results=" + redis.xlen(q.resultsStream()) + " stream=" + redis.xlen(q.stream()) + " "
                + sim.counters());
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
      queueLog.detachAppender(log);
    }
  }

  private static boolean logged(ListAppender<ILoggingEvent> log, String text) {
    return List.copyOf(log.list).stream().anyMatch(e -> e.getFormattedMessage().contains(text));
  }
}

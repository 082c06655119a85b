package ai.anycap.redis;

import static ai.anycap.redis.QueueFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobSource;
import ai.anycap.redis.QueueFixtures.Worker;
import ai.anycap.testkit.AnyCapSimulator;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole batch on a Redis Cluster (a redis-server with {@code cluster-enabled yes}, one node owning
 * every slot), through Lettuce's cluster client: producer, workers, results, dead letters, all of
 * the queue's scripts, and its keys all in the namespace's hash slot.
 */
class RedisClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(40);

  @Test
  void aBatchRunsOnARedisCluster(@TempDir Path redisDir, @TempDir Path out) {
    RedisClusterClient client = null;
    try (LocalRedis node = LocalRedis.startCluster(redisDir);
        AnyCapSimulator sim = AnyCapSimulator.builder().latency(Duration.ofMillis(20)).seed(5).start();
        RedisEvents events = new RedisEvents(node.uri())) {
      client = RedisClusterClient.create(node.uri());
      try (RedisJobQueue q = RedisJobQueue.builder().client(client).namespace("cluster-batch")
              .visibilityTimeout(Duration.ofSeconds(2)).build();
          StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8)) {
        RedisAdvancedClusterCommands<String, String> redis = c.sync();
        int n = 12;
        List<ImageJob> all = new ArrayList<>(jobs("cluster", n));
        all.add(ImageJob.builder().id("no-template").template("no_such_template").value("x", "y")
            .outputKey("no-template.png").build());
        assertThat(q.enqueueAll(JobSource.of(all))).isEqualTo(n + 1);

        Worker a = new Worker(q, "a", sim.client(), out, 3);
        Worker b = new Worker(q, "b", sim.client(), out, 3);
        events.awaitEntries(Map.of(q.resultsStream(), (long) n, q.deadLetterStream(), 1L), WAIT,
            () -> "results=" + redis.xlen(q.resultsStream()) + " " + sim.counters());
        a.close();
        b.close();

        assertThat(entries(node, q.resultsStream())).hasSize(n)
            .allSatisfy(r -> assertThat(r).containsEntry("status", "succeeded"));
        assertThat(entries(node, q.deadLetterStream())).singleElement()
            .satisfies(d -> assertThat(d).containsEntry("error_code", "INVALID_JOB"));
        assertThat(redis.scard(q.doneSet())).isEqualTo(n);
        assertThat(redis.xlen(q.stream())).isZero();
        assertThat(sim.counters().duplicateGenerations()).isZero();
        long slot = redis.clusterKeyslot("{cluster-batch}");
        List<String> keys = redis.keys("*cluster-batch*");
        assertThat(keys).contains(q.stream(), q.resultsStream(), q.deadLetterStream(), q.doneSet())
            .allSatisfy(k -> assertThat(redis.clusterKeyslot(k)).as(k).isEqualTo(slot));
      }
    } finally {
      if (client != null) {
        client.shutdown();
      }
    }
  }

  private static List<Map<String, String>> entries(LocalRedis node, String stream) {
    io.lettuce.core.RedisClient plain = io.lettuce.core.RedisClient.create(node.uri());
    try (var c = plain.connect()) {
      return QueueFixtures.entries(c.sync(), stream);
    } finally {
      plain.shutdown();
    }
  }
}

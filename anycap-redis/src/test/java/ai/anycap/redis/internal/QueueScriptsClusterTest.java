package ai.anycap.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.pipeline.SharedPace;
import ai.anycap.redis.LocalRedis;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every script of the queue and of the shared pace against a redis-server in cluster mode (one
 * node owning every slot), through Lettuce's cluster client: each runs, since all its keys share
 * one hash tag; the same script with one key outside the tag is refused with CROSSSLOT, as it
 * would be by any cluster.
 */
class QueueScriptsClusterTest {

  @TempDir static Path dir;
  private static LocalRedis node;
  private static RedisClusterClient client;
  private static StatefulRedisClusterConnection<String, String> connection;
  private static RedisAdvancedClusterCommands<String, String> redis;

  @BeforeAll
  static void startCluster() {
    node = LocalRedis.startCluster(dir);
    client = RedisClusterClient.create(node.uri());
    connection = client.connect(StringCodec.UTF8);
    redis = connection.sync();
  }

  @AfterAll
  static void stopCluster() {
    connection.close();
    client.shutdown();
    node.close();
  }

  @Test
  void everyScriptRuns_withItsKeysInTheQueuesHashSlot() {
    String stream = "{scripts}:jobs";
    assertThat(redis.clusterKeyslot(stream)).isEqualTo(redis.clusterKeyslot("{scripts}:results"))
        .isEqualTo(redis.clusterKeyslot("{scripts}:jobs:answer:job-1"));

    Long added = QueueScripts.ENQUEUE.run(redis, ScriptOutputType.INTEGER,
        new String[] {stream, "{scripts}:jobs:producers"}, "p", "1", "100", "{\"id\":\"job-1\"}", "{\"id\":\"job-2\"}");
    assertThat(added).isEqualTo(2);
    redis.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(stream, "0"), "g");
    List<io.lettuce.core.StreamMessage<String, String>> taken = redis.xreadgroup(
        io.lettuce.core.Consumer.from("g", "w"), io.lettuce.core.XReadArgs.Builder.count(2),
        io.lettuce.core.XReadArgs.StreamOffset.lastConsumed(stream));
    assertThat(taken).hasSize(2);
    String first = taken.get(0).getId();
    String second = taken.get(1).getId();
    redis.set("{scripts}:jobs:answer:job-1", "{}");

    List<Object> lost = QueueScripts.TOUCH.run(redis, ScriptOutputType.MULTI, new String[] {stream}, "g", "w", first, second);
    assertThat(lost).isEmpty();
    Long released = QueueScripts.RELEASE.run(redis, ScriptOutputType.INTEGER, new String[] {stream}, "g", second, "w", "0");
    assertThat(released).isEqualTo(1);
    Long finished = QueueScripts.FINISH.run(redis, ScriptOutputType.INTEGER,
        new String[] {stream, "{scripts}:results", "{scripts}:done", "{scripts}:jobs:answer:job-1"},
        "g", first, "job-1", "id", "job-1", "status", "succeeded");
    assertThat(finished).isEqualTo(1);
    assertThat(redis.xlen("{scripts}:results")).isEqualTo(1);
    assertThat(redis.exists("{scripts}:jobs:answer:job-1")).as("the answer goes with the job").isZero();
    Long retired = QueueScripts.RETIRE.run(redis, ScriptOutputType.INTEGER, new String[] {stream}, "g", "w");
    assertThat(retired).isEqualTo(1);

    RedisSharedPace pace = new RedisSharedPace(client, "acme-cluster", Duration.ofSeconds(5));
    try {
      SharedPace.Slot slot = pace.claim(20_000, 20_000, 0, 1);
      assertThat(slot.sequence()).isEqualTo(1);
      SharedPace.Snapshot written = pace.compareAndSet(0, slot.clock() + 1_000_000, "pace/1 learned");
      assertThat(written.written()).isTrue();
      assertThat(pace.claim(20_000, 20_000, 1, 1).at()).as("after the pause").isEqualTo(slot.clock() + 1_000_000);
      assertThat(redis.clusterKeyslot(pace.key())).isEqualTo(redis.clusterKeyslot(pace.key() + ":moments"));
    } finally {
      pace.close();
    }
  }

  @Test
  void aKeyOutsideTheHashTag_isRefusedWithCrossslot() {
    String stream = "{crossslot}:jobs";
    QueueScripts.ENQUEUE.run(redis, ScriptOutputType.INTEGER,
        new String[] {stream, "{crossslot}:jobs:producers"}, "p", "1", "100", "{\"id\":\"job-1\"}");

    // As the keys were named before the hash tag: the results stream in a slot of its own.
    assertThatThrownBy(() -> QueueScripts.FINISH.run(redis, ScriptOutputType.INTEGER,
            new String[] {stream, "crossslot:results", "{crossslot}:done", "{crossslot}:jobs:answer:job-1"},
            "g", "0-1", "job-1"))
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("CROSSSLOT");
    assertThatThrownBy(() -> QueueScripts.ENQUEUE.run(redis, ScriptOutputType.INTEGER,
            new String[] {"crossslot:anycap:jobs", "crossslot:anycap:jobs:producers"}, "p", "1", "100", "{}"))
        .as("the old layout: namespace:anycap:jobs and its producers hash")
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageContaining("CROSSSLOT");
  }
}

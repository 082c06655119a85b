package ai.anycap.redis.internal;

import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/** Creates the workers' consumer group, and the stream with it, when they do not exist yet. */
final class StreamGroups {

  private StreamGroups() {}

  /**
   * XGROUP CREATE stream group 0 MKSTREAM, ignoring BUSYGROUP. From id 0, so that jobs added before
   * the group existed are worked too.
   */
  static void ensure(RedisClusterCommands<String, String> redis, QueueSettings s) {
    try {
      redis.xgroupCreate(StreamOffset.from(s.stream(), "0"), s.group(), XGroupCreateArgs.Builder.mkstream());
    } catch (RuntimeException e) {
      if (!RedisErrors.groupExists(e)) {
        throw e;
      }
    }
  }
}

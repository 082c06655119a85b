package ai.anycap.redis.internal;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's heartbeat: every third of the visibility timeout, resets the idle time of the
 * entries it holds ({@link QueueScripts#TOUCH}), so that a slow job is not taken from a live
 * worker; an entry another worker took over meanwhile (this one went silent too long) is let go,
 * with a warning, since its image may be made twice.
 */
final class Heartbeat implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");
  private static final int TOUCH_CHUNK = 200;

  private final QueueSettings s;
  private final String worker;
  private final RedisLink writer;
  private final Map<String, String> held;
  private final BooleanSupplier closed;
  private final ScheduledExecutorService timer;

  Heartbeat(QueueSettings settings, String worker, RedisLink writer, Map<String, String> held, BooleanSupplier closed) {
    this.s = settings;
    this.worker = worker;
    this.writer = writer;
    this.held = held;
    this.closed = closed;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "anycap-redis-heartbeat-" + worker);
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(10, settings.heartbeatInterval().toMillis());
    timer.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  private void beat() {
    if (closed.getAsBoolean() || held.isEmpty()) {
      return;
    }
    List<String> ids = new ArrayList<>(held.keySet());
    try {
      RedisClusterCommands<String, String> redis = writer.commands();
      for (int from = 0; from < ids.size(); from += TOUCH_CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + TOUCH_CHUNK));
        String[] args = new String[2 + chunk.size()];
        args[0] = s.group();
        args[1] = worker;
        for (int i = 0; i < chunk.size(); i++) {
          args[2 + i] = chunk.get(i);
        }
        List<Object> lost = QueueScripts.TOUCH.run(redis, ScriptOutputType.MULTI, new String[] {s.stream()}, args);
        for (Object o : lost) {
          String entry = String.valueOf(o);
          String jobId = held.remove(entry);
          if (jobId != null) {
            log.warn("worker {} lost job {} (entry {}) to another worker: it went without a heartbeat for {} "
                + "while running here, and may be made twice", worker, jobId, entry, s.visibilityTimeout());
          }
        }
      }
    } catch (RuntimeException e) {
      if (!closed.getAsBoolean()) {
        log.debug("heartbeat of worker {} failed: {}", worker, e.toString());
      }
    }
  }

  /** Stops beating: the entries held go idle, and others claim them after the visibility timeout. */
  @Override
  public void close() {
    timer.shutdownNow();
  }
}

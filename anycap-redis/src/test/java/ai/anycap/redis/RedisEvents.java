package ai.anycap.redis;

import static org.assertj.core.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for what happens in Redis on Redis's own events, so that tests never sleep: a blocking
 * XREAD for entries appended to a stream that only grows (results, dead letters), and keyspace
 * notifications for anything else, such as the jobs stream's length, which goes down as well as
 * up. Connects on its own, since a blocking read would hold up every other command on a shared
 * connection. For one test thread at a time.
 */
final class RedisEvents implements AutoCloseable {

  /**
   * Keyspace events ('K') of the stream commands ('t': XADD, XDEL, ...) and the string commands
   * ('$': the SET that keeps a job's answer), scripts' included.
   */
  private static final String KEY_EVENTS = "Kt$";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> reads;
  private final StatefulRedisPubSubConnection<String, String> events;
  private final BlockingQueue<String> changed = new LinkedBlockingQueue<>();

  RedisEvents(String uri) {
    client = RedisClient.create(uri);
    reads = client.connect();
    reads.sync().configSet("notify-keyspace-events", KEY_EVENTS);
    events = client.connectPubSub();
    events.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String pattern, String channel, String message) {
        changed.add(channel);
      }
    });
  }

  /**
   * Blocks until {@code stream} has had at least {@code n} entries appended since it was created,
   * reading them with XREAD BLOCK; fails after {@code timeout} with {@code state} in the message.
   */
  void awaitEntries(String stream, long n, Duration timeout, Supplier<Object> state) {
    awaitEntries(Map.of(stream, n), timeout, state);
  }

  /** As {@link #awaitEntries(String, long, Duration, Supplier)}, for each stream and count. */
  void awaitEntries(Map<String, Long> atLeast, Duration timeout, Supplier<Object> state) {
    Map<String, String> from = new LinkedHashMap<>();
    Map<String, Long> seen = new LinkedHashMap<>();
    atLeast.keySet().forEach(s -> {
      from.put(s, "0-0");
      seen.put(s, 0L);
    });
    long deadline = System.nanoTime() + timeout.toNanos();
    // The read blocks for the rest of the wait, so its reply may take that long.
    reads.setTimeout(timeout.plusSeconds(10));
    while (atLeast.entrySet().stream().anyMatch(e -> seen.get(e.getKey()) < e.getValue())) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        fail("timed out after " + timeout + " waiting for " + atLeast + " entries, saw " + seen + "; " + state.get());
      }
      @SuppressWarnings("unchecked")
      StreamOffset<String>[] offsets =
          from.entrySet().stream().map(e -> StreamOffset.from(e.getKey(), e.getValue())).toArray(StreamOffset[]::new);
      List<StreamMessage<String, String>> read =
          reads.sync().xread(XReadArgs.Builder.block(left).count(1_000), offsets);
      for (StreamMessage<String, String> m : read == null ? List.<StreamMessage<String, String>>of() : read) {
        from.put(m.getStream(), m.getId());
        seen.merge(m.getStream(), 1L, Long::sum);
      }
    }
  }

  /**
   * Waits until {@code condition} holds, checking it now and again on every change to one of
   * {@code keys} (a keyspace notification); fails after {@code timeout} with {@code state}.
   */
  void awaitChange(Collection<String> keys, String what, BooleanSupplier condition, Duration timeout,
      Supplier<Object> state) {
    List<String> patterns = new ArrayList<>();
    keys.forEach(k -> patterns.add("__keyspace@*__:" + k));
    changed.clear();
    // Subscribed before the first check, so that no change between the check and the wait is missed.
    events.sync().psubscribe(patterns.toArray(String[]::new));
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        String channel = left <= 0 ? null : changed.poll(left, TimeUnit.NANOSECONDS);
        if (channel == null) {
          fail("timed out after " + timeout + " waiting for " + what + "; " + state.get());
        }
        changed.clear(); // one check covers every change so far
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted waiting for " + what);
    } finally {
      events.sync().punsubscribe(patterns.toArray(String[]::new));
    }
  }

  @Override
  public void close() {
    events.close();
    reads.close();
    client.shutdown();
  }
}

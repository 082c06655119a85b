package ai.anycap.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;

/**
 * One connection, opened on first use rather than up front, so that a worker started while Redis
 * is down waits for it like one that lost it later. Once open, Lettuce reconnects it by itself.
 * To a single Redis or to a Redis Cluster: the commands are those both share (a queue's keys all
 * hash to one slot, so a cluster routes each command, script included, to the node holding it).
 * Thread-safe: Lettuce multiplexes commands from many threads on one connection, so a connection
 * that blocks (XREADGROUP ... BLOCK) must be a link of its own.
 */
public final class RedisLink implements AutoCloseable {

  private final AbstractRedisClient client;
  private final Duration timeout;
  private StatefulConnection<String, String> connection;
  private RedisClusterCommands<String, String> commands;
  private Duration currentTimeout;
  private boolean closed;

  /** @param client a {@link RedisClient} or a {@link RedisClusterClient} */
  public RedisLink(AbstractRedisClient client, Duration timeout) {
    if (!(client instanceof RedisClient) && !(client instanceof RedisClusterClient)) {
      throw new IllegalArgumentException("not a Lettuce RedisClient or RedisClusterClient: " + client);
    }
    this.client = client;
    this.timeout = timeout;
  }

  /**
   * The commands, connecting first if needed.
   *
   * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached now
   * @throws IllegalStateException once closed
   */
  public synchronized RedisClusterCommands<String, String> commands() {
    open();
    return commands;
  }

  /** The commands, with a timeout of {@code timeout} for this link from now on. */
  public synchronized RedisClusterCommands<String, String> commands(Duration timeout) {
    open();
    if (!timeout.equals(currentTimeout)) {
      connection.setTimeout(timeout);
      currentTimeout = timeout;
    }
    return commands;
  }

  public synchronized boolean isOpen() {
    return connection != null && !closed;
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("connection closed");
    }
    if (connection == null) {
      if (client instanceof RedisClusterClient cluster) {
        StatefulRedisClusterConnection<String, String> c = cluster.connect(StringCodec.UTF8);
        connection = c;
        commands = c.sync();
      } else {
        StatefulRedisConnection<String, String> c = ((RedisClient) client).connect(StringCodec.UTF8);
        connection = c;
        commands = c.sync();
      }
      connection.setTimeout(timeout);
      currentTimeout = timeout;
    }
  }

  /** Closes the connection; commands still out fail at once. Idempotent. */
  @Override
  public void close() {
    StatefulConnection<String, String> c;
    synchronized (this) {
      closed = true;
      c = connection;
      connection = null;
      commands = null;
    }
    if (c != null) {
      c.close();
    }
  }
}

package ai.anycap.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;

/**
 * One connection, opened on first use rather than up front, so that a worker started while Redis
 * is down waits for it like one that lost it later. Once open, Lettuce reconnects it by itself.
 * Thread-safe: Lettuce multiplexes commands from many threads on one connection, so a connection
 * that blocks (XREADGROUP ... BLOCK) must be a link of its own.
 */
public final class RedisLink implements AutoCloseable {

  private final RedisClient client;
  private final Duration timeout;
  private StatefulRedisConnection<String, String> connection;
  private Duration currentTimeout;
  private boolean closed;

  public RedisLink(RedisClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  /**
   * The commands, connecting first if needed.
   *
   * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached now
   * @throws IllegalStateException once closed
   */
  public synchronized RedisCommands<String, String> commands() {
    return open().sync();
  }

  /** The commands, with a timeout of {@code timeout} for this link from now on. */
  public synchronized RedisCommands<String, String> commands(Duration timeout) {
    StatefulRedisConnection<String, String> c = open();
    if (!timeout.equals(currentTimeout)) {
      c.setTimeout(timeout);
      currentTimeout = timeout;
    }
    return c.sync();
  }

  public synchronized boolean isOpen() {
    return connection != null && !closed;
  }

  private StatefulRedisConnection<String, String> open() {
    if (closed) {
      throw new IllegalStateException("connection closed");
    }
    if (connection == null) {
      connection = client.connect(StringCodec.UTF8);
      connection.setTimeout(timeout);
      currentTimeout = timeout;
    }
    return connection;
  }

  /** Closes the connection; commands still out fail at once. Idempotent. */
  @Override
  public void close() {
    StatefulRedisConnection<String, String> c;
    synchronized (this) {
      closed = true;
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.close();
    }
  }
}

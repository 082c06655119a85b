package ai.anycap.redis;

import ai.anycap.redis.internal.QueueSettings;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Configures a {@link RedisJobQueue}; {@link #redisUri(String)} or a client is required. Not
 * thread-safe; {@link #build()} copies, so the builder can be reused.
 */
public final class RedisJobQueueBuilder {
  String uri;
  AbstractRedisClient client;
  private String namespace = "anycap";
  private String stream = "jobs";
  private String group = "anycap-workers";
  private String resultsStream = "results";
  private String deadLetterStream = "dead";
  private String doneSet = "done";
  private Duration visibilityTimeout = Duration.ofMinutes(5);
  private int maxDeliveries = 5;
  private long maxStreamLength = 10_000;
  private int batchSize = 100;
  private Duration commandTimeout = Duration.ofSeconds(10);
  private Duration reconnectTimeout = Duration.ofMinutes(5);
  private Duration answerTtl = Duration.ofHours(24);

  RedisJobQueueBuilder() {}

  /**
   * Where Redis is, such as {@code redis://127.0.0.1:6379} or {@code
   * rediss://:password@host:6380/2}; the queue makes its own client and closes it. Replaces a
   * client set before. Default: none; a URI or a client is required.
   *
   * @param uri a Redis URI
   * @return this builder
   * @throws IllegalArgumentException when it is not a Redis URI
   */
  public RedisJobQueueBuilder redisUri(String uri) {
    Objects.requireNonNull(uri, "uri");
    RedisURI.create(uri); // refuses what is not a Redis URI, now rather than at build()
    this.uri = uri;
    this.client = null;
    return this;
  }

  /**
   * A client of your own, configured as you like (the queue keeps it open). The queue's
   * defaults otherwise: automatic reconnection, commands rejected while disconnected, reconnect
   * attempts within 2 seconds. Replaces a URI set before. Default: none; a URI or a client is
   * required.
   *
   * @param client a Lettuce client, shared as you like (Lettuce clients are thread-safe)
   * @return this builder
   */
  public RedisJobQueueBuilder client(RedisClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.uri = null;
    return this;
  }

  /**
   * A Redis Cluster client of your own (the queue keeps it open): every key of the queue shares
   * one hash tag, its {@link #namespace(String)}, so the queue lives on one node and its scripts
   * run there, and several queues spread over the cluster. Replaces a URI or client set before.
   * Default: none; a URI or a client is required.
   *
   * @param client a Lettuce cluster client, configured with the cluster's nodes
   * @return this builder
   */
  public RedisJobQueueBuilder client(RedisClusterClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.uri = null;
    return this;
  }

  /**
   * Prefixes every key with {@code "{" + namespace + "}:"} (the stream becomes {@code
   * {batch-42}:jobs}), so several batches can share one Redis. The braces make the namespace
   * the keys' hash tag: every key of a queue lives in one hash slot, so its Lua scripts, which
   * touch several keys at once, also run on a Redis Cluster. Default: {@code anycap}. The
   * producer and every worker of a batch must use the same namespace.
   *
   * @param namespace not blank, without braces, such as {@code batch-42}
   * @return this builder
   * @throws IllegalArgumentException when blank or holding a brace (it would break the tag)
   */
  public RedisJobQueueBuilder namespace(String namespace) {
    this.namespace = hashTag(namespace, "namespace");
    return this;
  }

  /**
   * The stream of jobs. Default: {@code jobs}.
   *
   * @param key not blank; the namespace's tag goes before it
   * @return this builder
   */
  public RedisJobQueueBuilder stream(String key) {
    this.stream = nonBlank(key, "stream");
    return this;
  }

  /**
   * The workers' consumer group. Default: {@code anycap-workers}.
   *
   * @param group not blank; not namespaced, since a group belongs to its stream
   * @return this builder
   */
  public RedisJobQueueBuilder group(String group) {
    this.group = nonBlank(group, "group");
    return this;
  }

  /**
   * Where finished jobs are published. Default: {@code results}.
   *
   * @param key not blank; the namespace's tag goes before it
   * @return this builder
   */
  public RedisJobQueueBuilder resultsStream(String key) {
    this.resultsStream = nonBlank(key, "resultsStream");
    return this;
  }

  /**
   * Where jobs that cannot succeed go, with their errors. Default: {@code dead}.
   *
   * @param key not blank; the namespace's tag goes before it
   * @return this builder
   */
  public RedisJobQueueBuilder deadLetterStream(String key) {
    this.deadLetterStream = nonBlank(key, "deadLetterStream");
    return this;
  }

  /**
   * The set of ids of jobs that succeeded. Default: {@code done}.
   *
   * @param key not blank; the namespace's tag goes before it
   * @return this builder
   */
  public RedisJobQueueBuilder doneSet(String key) {
    this.doneSet = nonBlank(key, "doneSet");
    return this;
  }

  /**
   * How long a taken job may go without its worker's heartbeat before other workers take it
   * over; default 5 minutes, at least 100 ms. Also how long a failed job waits before its next
   * delivery.
   *
   * @param timeout at least 100 ms; longer than the slowest job's pause between heartbeats
   * @return this builder
   */
  public RedisJobQueueBuilder visibilityTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("visibilityTimeout must be at least 100 ms, got " + timeout);
    }
    this.visibilityTimeout = timeout;
    return this;
  }

  /**
   * Deliveries a failing job gets before it is dead-lettered. Default: 5.
   *
   * @param deliveries at least 1
   * @return this builder
   */
  public RedisJobQueueBuilder maxDeliveries(int deliveries) {
    if (deliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be at least 1, got " + deliveries);
    }
    this.maxDeliveries = deliveries;
    return this;
  }

  /**
   * The most unfinished jobs (waiting or running) the stream may hold; {@link
   * RedisJobQueue#enqueueAll} waits beyond it. Default: 10,000.
   *
   * @param length at least 1, and at least {@link #batchSize(int)}
   * @return this builder
   */
  public RedisJobQueueBuilder maxStreamLength(long length) {
    if (length < 1) {
      throw new IllegalArgumentException("maxStreamLength must be at least 1, got " + length);
    }
    this.maxStreamLength = length;
    return this;
  }

  /**
   * Jobs added per round trip by {@link RedisJobQueue#enqueueAll}. Default: 100.
   *
   * @param size at least 1, at most {@link #maxStreamLength(long)}
   * @return this builder
   */
  public RedisJobQueueBuilder batchSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + size);
    }
    this.batchSize = size;
    return this;
  }

  /**
   * The longest one command may take (a blocking read gets its wait on top). Default: 10
   * seconds.
   *
   * @param timeout positive
   * @return this builder
   */
  public RedisJobQueueBuilder commandTimeout(Duration timeout) {
    this.commandTimeout = positive(timeout, "commandTimeout");
    return this;
  }

  /**
   * How long {@link RedisJobQueue#enqueueAll} keeps retrying while Redis is unreachable before
   * it fails; default 5 minutes. Workers never give up: {@code take} returns no job while Redis
   * is away, {@code settle} retries until it succeeds or the consumer is closed.
   *
   * @param timeout positive
   * @return this builder
   */
  public RedisJobQueueBuilder reconnectTimeout(Duration timeout) {
    this.reconnectTimeout = positive(timeout, "reconnectTimeout");
    return this;
  }

  /**
   * How long a worker's record of a paid image (the generate answer, written before its
   * download) is kept for the worker that takes the job over should this one die: that worker
   * downloads the image instead of paying for it again. Deleted as soon as the job settles;
   * the time only bounds what a job nobody settles leaves behind. Default: 24 hours, longer than
   * artifact URLs live (an answer whose URLs expired is generated again, and the report counts
   * it).
   *
   * @param ttl positive
   * @return this builder
   */
  public RedisJobQueueBuilder answerTtl(Duration ttl) {
    this.answerTtl = positive(ttl, "answerTtl");
    return this;
  }

  /**
   * Builds the queue; it connects when first used, so Redis need not be up yet.
   *
   * @return a new queue
   * @throws IllegalArgumentException when neither a URI nor a client is set, when two keys have
   *     the same name, or when the batch is larger than the stream may hold
   */
  public RedisJobQueue build() {
    if (uri == null && client == null) {
      throw new IllegalArgumentException("RedisJobQueue needs a redisUri or a client");
    }
    QueueSettings s = settings();
    Set<String> keys = new HashSet<>(
        List.of(s.stream(), s.resultsStream(), s.deadLetterStream(), s.doneSet(), s.producersKey()));
    if (keys.size() != 5) {
      throw new IllegalArgumentException("stream, resultsStream, deadLetterStream and doneSet must be different keys, got "
          + s.stream() + ", " + s.resultsStream() + ", " + s.deadLetterStream() + ", " + s.doneSet());
    }
    if (batchSize > maxStreamLength) {
      throw new IllegalArgumentException(
          "batchSize (" + batchSize + ") must not exceed maxStreamLength (" + maxStreamLength + ")");
    }
    return new RedisJobQueue(this);
  }

  QueueSettings settings() {
    String p = "{" + namespace + "}:";
    return new QueueSettings(
        p + stream, group, p + resultsStream, p + deadLetterStream, p + doneSet, p + stream + ":producers",
        p + stream + ":answer:", visibilityTimeout, maxDeliveries, maxStreamLength, batchSize, commandTimeout,
        reconnectTimeout, answerTtl);
  }

  /** A name that goes between braces in keys, as their hash tag. */
  static String hashTag(String value, String name) {
    nonBlank(value, name);
    if (value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
      throw new IllegalArgumentException(name + " must not hold '{' or '}' (it is the keys' hash tag): " + value);
    }
    return value;
  }

  private static String nonBlank(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}

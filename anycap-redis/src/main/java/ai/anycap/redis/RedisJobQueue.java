package ai.anycap.redis;

import ai.anycap.pipeline.JobQueue;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.SharedPace;
import ai.anycap.redis.internal.JobProducer;
import ai.anycap.redis.internal.QueueSettings;
import ai.anycap.redis.internal.RedisLink;
import ai.anycap.redis.internal.RedisQueueConsumer;
import ai.anycap.redis.internal.RedisSharedPace;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@link JobQueue} on Redis Streams, so that one batch runs on many workers on many machines:
 * a producer adds the jobs, each worker runs {@code ImagePipeline.work(queue.consumer(name))}.
 *
 * <pre>{@code
 * try (RedisJobQueue queue = RedisJobQueue.builder()
 *     .redisUri("redis://redis.internal:6379")
 *     .namespace("batch-42")
 *     .build()) {
 *   queue.enqueueAll(CsvJobSource.builder().file(Path.of("products.csv"))...build());  // producer
 *
 *   try (QueueConsumer consumer = queue.consumer("worker-" + hostname)) {             // each worker
 *     BatchReport report = pipeline.work(consumer).join();
 *   }
 * }
 * }</pre>
 *
 * <p>How it works. Jobs are entries of a stream (field {@code job}, the job's JSON) read by one
 * consumer group. A worker takes new entries with XREADGROUP and, first, entries another worker
 * has held idle for longer than the visibility timeout (XAUTOCLAIM): a worker that dies leaves its
 * jobs to the living. While a worker runs a job, a heartbeat resets the entry's idle time every
 * third of the visibility timeout, so a slow job is not taken from a live worker. When a job
 * succeeds its id goes into the done set, a result entry into the results stream, and its entry
 * is acknowledged and deleted, in one atomic step; a job found in the done set when taken (its
 * worker died after finishing it) is acknowledged without running again. A job that fails is
 * left pending and delivered again after the visibility timeout, until its
 * {@linkplain RedisJobQueueBuilder#maxDeliveries(int) last delivery} fails: then it goes to the dead-letter
 * stream with its error. A job that can never run (malformed, unknown template) goes there at
 * once. A job a worker took but never started (it was shutting down, its budget was spent, or it
 * halted on a 401, 402 or 403) is given back at once, not after the visibility timeout: the same
 * fields as a new entry at the end of the stream, the old entry acknowledged and deleted in the
 * same atomic step, so the backlog stays the same and the delivery does not count towards the
 * maximum (the deliveries that did count go with it). Delivery is at least once: a job whose
 * worker goes silent for longer than the visibility timeout while still running it may be
 * generated twice.
 *
 * <p>Back-pressure: since finished entries are deleted, the stream's length is the number of jobs
 * waiting or running. {@link #enqueueAll} adds a batch only while that length plus the batch stays
 * within {@link RedisJobQueueBuilder#maxStreamLength(long)}, checked and added atomically in Redis, and
 * otherwise polls until workers make room. Trimming the stream (XADD MAXLEN) would drop jobs no
 * worker has run, so it is never used. A producer that retries a batch after losing Redis's answer
 * does not add it twice.
 *
 * <p>Paid images are not paid for twice when a worker dies: as soon as a generate answer arrives
 * (before its download), the worker keeps it in Redis under the job's id, and the worker that
 * claims the job downloads those images instead of generating again; the answer goes when the job
 * settles.
 *
 * <p>Redis Cluster: every key of a queue shares one hash tag, its namespace in braces ({@code
 * {anycap}:jobs}), so a queue lives in one hash slot and its multi-key scripts run on a cluster
 * ({@link RedisJobQueueBuilder#client(io.lettuce.core.cluster.RedisClusterClient)}).
 *
 * <p>One pace for many workers: {@link #sharedPace(String)} gives the workers of one AnyCap account
 * one rate limit, learned together (see {@link SharedPace}).
 *
 * <p>Defaults: keys {@code {anycap}:jobs}, {@code {anycap}:results}, {@code {anycap}:dead}, {@code
 * {anycap}:done} (and {@code {anycap}:jobs:producers}, {@code {anycap}:jobs:answer:<job id>}), group
 * {@code anycap-workers}, visibility timeout 5 minutes, 5 deliveries, 10,000 unfinished jobs,
 * batches of 100, commands time out after 10 seconds, a producer gives up after Redis has been
 * unreachable for 5 minutes (workers never give up), answers kept 24 hours at most. Needs Redis 6.2
 * or later. Thread-safe. Close the consumers before the queue; {@link #close()} closes any still
 * open, and the shared paces it gave.
 */
public final class RedisJobQueue implements JobQueue, AutoCloseable {

  /** Shared-pace calls hold up their pacer, so they give up sooner than queue commands. */
  private static final Duration PACE_TIMEOUT = Duration.ofSeconds(2);

  private final QueueSettings settings;
  private final AbstractRedisClient client;
  private final ClientResources ownedResources;
  private final RedisLink link;
  private final JobProducer producer;
  private final Set<RedisQueueConsumer> consumers = ConcurrentHashMap.newKeySet();
  private final Map<String, RedisSharedPace> paces = new ConcurrentHashMap<>();
  private volatile boolean closed;

  RedisJobQueue(RedisJobQueueBuilder b) {
    this.settings = b.settings();
    if (b.client != null) {
      this.client = b.client;
      this.ownedResources = null;
    } else {
      this.ownedResources =
          DefaultClientResources.builder()
              .ioThreadPoolSize(2)
              .computationThreadPoolSize(2)
              // Back within a second or two of Redis: Lettuce's default waits up to 30 s.
              .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
              .build();
      RedisURI uri = RedisURI.create(b.uri);
      uri.setTimeout(settings.commandTimeout());
      RedisClient own = RedisClient.create(ownedResources, uri);
      own.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              // Fail at once while disconnected, rather than queue commands that might run twice.
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      this.client = own;
    }
    this.link = new RedisLink(client, settings.commandTimeout());
    this.producer = new JobProducer(settings, link, () -> closed);
  }

  /**
   * Starts configuring a queue; {@link RedisJobQueueBuilder#redisUri(String)} or a client is
   * required.
   *
   * @return a new builder with every default
   */
  public static RedisJobQueueBuilder builder() {
    return new RedisJobQueueBuilder();
  }

  /**
   * Adds every job of {@code jobs}, reading the source lazily, in batches; waits while the stream
   * holds {@link RedisJobQueueBuilder#maxStreamLength(long)} unfinished jobs. Creates the stream and the group
   * when they do not exist. A malformed entry in the source stops it with the source's exception,
   * after the jobs before it were added.
   *
   * @return how many jobs were added
   * @throws RedisQueueException when Redis stays unreachable longer than the reconnect timeout,
   *     refuses a command, or the queue is closed meanwhile
   */
  @Override
  public long enqueueAll(JobSource jobs) {
    Objects.requireNonNull(jobs, "jobs");
    checkOpen();
    return producer.enqueueAll(jobs);
  }

  /**
   * A worker's end of the queue. Names must be unique among live workers (use the host name and
   * a number); a worker restarted under the same name finds the jobs its last life held once they
   * pass the visibility timeout. The consumer connects on first use, so a worker may start before
   * Redis does.
   *
   * <p>Its {@code settle} blocks the calling thread while Redis is unreachable, retrying until it
   * succeeds or the consumer is closed, so that no acknowledgement is lost. Close it after the
   * pipeline that uses it: {@code ImagePipeline.close()} waits until running jobs are settled.
   *
   * @throws IllegalStateException when this queue has an open consumer of that name already
   */
  @Override
  public QueueConsumer consumer(String workerName) {
    Objects.requireNonNull(workerName, "workerName");
    if (workerName.isBlank()) {
      throw new IllegalArgumentException("workerName must not be blank");
    }
    checkOpen();
    synchronized (consumers) {
      if (consumers.stream().anyMatch(c -> c.name().equals(workerName))) {
        throw new IllegalStateException("a consumer named '" + workerName + "' is open already");
      }
      RedisQueueConsumer c = new RedisQueueConsumer(client, settings, workerName, consumers::remove);
      consumers.add(c);
      return c;
    }
  }

  /**
   * The pace of every pipeline that sends to AnyCap account {@code account} through this Redis,
   * for {@code ImagePipelineBuilder.sharedPace(...)}: give it to each worker's pipeline, and
   * together they keep under the account's rate limit and learn it together (a 429 one gets
   * pauses all; see {@link SharedPace}). Kept in {@code anycap:pace:{account}} (a hash, and a list
   * {@code :moments}), outside the queue's namespace: an account's limit spans all its batches.
   * The key names the account as given here: never pass the API key. Each call with the same name
   * returns the same pace; it closes with the queue.
   *
   * <p>Defaults (fixed): the time is Redis's {@code TIME}, one clock for every worker; each call
   * to Redis gives up after 2 seconds (or the queue's command timeout, when shorter), and then the
   * pipeline paces on its own with what it knew last until Redis answers again; the latest 512
   * moments are kept for the workers to learn from; both keys expire a day after their last use.
   * Why a Lua script rather than a rate-limit library: fixed-rate buckets (Bucket4j and the like)
   * share a rate set in advance; here the rate is learned, so the store hands out moments from one
   * schedule and compare-and-sets what the pipelines learned, each in one atomic round trip.
   *
   * <pre>{@code
   * ImagePipeline pipeline = ImagePipeline.builder()
   *     .client(AnyCapClient.fromEnv())
   *     .sharedPace(queue.sharedPace("acme-prod"))     // every worker of the account, one pace
   *     .build();
   * }</pre>
   *
   * @param account a name for the account, such as {@code acme-prod}: not blank, no braces
   * @return the shared pace
   * @throws IllegalArgumentException when the name is blank, holds a brace (it is the keys' hash
   *     tag), or looks like an API key ({@code ak_...})
   */
  public SharedPace sharedPace(String account) {
    RedisJobQueueBuilder.hashTag(account, "account");
    if (account.strip().toLowerCase(Locale.ROOT).startsWith("ak_")) {
      throw new IllegalArgumentException("the account's name looks like an API key (ak_...); name the account instead,"
          + " such as 'acme-prod': the name is part of a Redis key, and the key must never be");
    }
    checkOpen();
    return paces.computeIfAbsent(account,
        a -> new RedisSharedPace(client, a, PACE_TIMEOUT.compareTo(settings.commandTimeout()) < 0
            ? PACE_TIMEOUT : settings.commandTimeout()));
  }

  /**
   * Jobs waiting or running (the stream's length, since finished entries are deleted).
   *
   * @return the number of unfinished jobs, 0 when the stream does not exist yet
   * @throws RedisQueueException when Redis cannot answer now
   */
  public long backlog() {
    checkOpen();
    try {
      return link.commands().xlen(settings.stream());
    } catch (RuntimeException e) {
      throw new RedisQueueException("cannot read the length of " + settings.stream() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The stream of jobs.
   *
   * @return its key, namespace included
   */
  public String stream() {
    return settings.stream();
  }

  /**
   * The workers' consumer group.
   *
   * @return its name
   */
  public String group() {
    return settings.group();
  }

  /**
   * The stream each finished job is published to.
   *
   * @return its key, namespace included
   */
  public String resultsStream() {
    return settings.resultsStream();
  }

  /**
   * The stream of jobs that cannot succeed, with their errors.
   *
   * @return its key, namespace included
   */
  public String deadLetterStream() {
    return settings.deadLetterStream();
  }

  /**
   * The set of ids of the jobs that succeeded.
   *
   * @return its key, namespace included
   */
  public String doneSet() {
    return settings.doneSet();
  }

  /**
   * How long a taken job may go without its worker's heartbeat before other workers take it.
   *
   * @return the timeout set by {@link RedisJobQueueBuilder#visibilityTimeout(Duration)}
   */
  public Duration visibilityTimeout() {
    return settings.visibilityTimeout();
  }

  /**
   * Deliveries a failing job gets before it goes to the dead-letter stream.
   *
   * @return the number set by {@link RedisJobQueueBuilder#maxDeliveries(int)}
   */
  public int maxDeliveries() {
    return settings.maxDeliveries();
  }

  /**
   * The most unfinished jobs the stream may hold before {@link #enqueueAll} waits.
   *
   * @return the length set by {@link RedisJobQueueBuilder#maxStreamLength(long)}
   */
  public long maxStreamLength() {
    return settings.maxStreamLength();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("queue is closed");
    }
  }

  /**
   * Closes the consumers still open, the shared paces, the queue's connection and, when the queue
   * made the client from a URI, the client. A client passed to the builder stays open.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RedisQueueConsumer c : List.copyOf(consumers)) {
      c.close();
    }
    paces.values().forEach(RedisSharedPace::close);
    link.close();
    if (ownedResources != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RedisJobQueue{" + settings.stream() + ", group " + settings.group() + '}';
  }
}

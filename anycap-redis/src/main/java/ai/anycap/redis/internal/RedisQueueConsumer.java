package ai.anycap.redis.internal;

import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.QueuedJob;
import ai.anycap.redis.RedisQueueException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's end of a Redis job queue: {@link #take} hands out what {@link Deliveries} reads
 * and claims, {@link #settle} finishes, dead-letters, gives back or leaves pending what it took
 * ({@link EntryScripts}), {@link #generated} keeps a paid answer until the job settles ({@link
 * Answers}), and a {@link Heartbeat} keeps the jobs it holds from other workers.
 *
 * <p>{@link #settle}: a success (or a job a journal had done) is published to the results stream;
 * a failure stays pending for its next delivery, or is dead-lettered on its last; a malformed job
 * is dead-lettered; a job never started (cancelled, halted, over budget) is given back at once
 * ({@link QueueScripts#RELEASE}) without counting the delivery.
 *
 * <p>Two connections: one for the blocking read, one for everything else (settles from many
 * threads, the heartbeat, answers). Commands that fail because Redis is away are retried: {@code
 * take} returns no job once its wait is over, {@code settle} keeps trying until it succeeds or the
 * consumer is closed; an answer that cannot be kept is logged, and the job is generated again
 * should this worker die before it settles.
 */
public final class RedisQueueConsumer implements QueueConsumer {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");

  private final QueueSettings s;
  private final java.util.function.Consumer<RedisQueueConsumer> onClose;
  private final String name;
  private final RedisLink reader;
  private final RedisLink writer;
  private final Map<String, String> held = new ConcurrentHashMap<>();
  private final EntryScripts entries;
  private final Answers answers;
  private final Deliveries deliveries;
  private final Heartbeat heartbeat;
  private final AtomicInteger settling = new AtomicInteger();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final Backoff takeBackoff = new Backoff(50, 1_000);
  private volatile boolean closed;
  private boolean groupReady;
  private final Object outageLock = new Object();
  private long outageSince;

  /**
   * @param client a {@code RedisClient} or a {@code RedisClusterClient}
   * @param onClose told when this consumer closes, so its queue forgets it
   */
  public RedisQueueConsumer(AbstractRedisClient client, QueueSettings settings, String name,
      java.util.function.Consumer<RedisQueueConsumer> onClose) {
    this.s = settings;
    this.name = name;
    this.onClose = onClose;
    this.reader = new RedisLink(client, settings.commandTimeout());
    this.writer = new RedisLink(client, settings.commandTimeout());
    this.entries = new EntryScripts(settings, name);
    this.answers = new Answers(settings, name);
    this.deliveries = new Deliveries(settings, name, reader, held, entries, answers);
    this.heartbeat = new Heartbeat(settings, name, writer, held, () -> closed);
  }

  // ----- take -----

  @Override
  public synchronized List<QueuedJob> take(int max, Duration wait) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, got " + max);
    }
    Objects.requireNonNull(wait, "wait");
    if (wait.isNegative()) {
      throw new IllegalArgumentException("wait must not be negative, got " + wait);
    }
    if (closed) {
      throw new IllegalStateException("consumer " + name + " is closed");
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        RedisClusterCommands<String, String> redis = writer.commands();
        if (!groupReady) {
          StreamGroups.ensure(redis, s);
          groupReady = true;
        }
        List<QueuedJob> jobs = deliveries.take(redis, max, Math.max(0, deadline - System.nanoTime()));
        recovered();
        takeBackoff.reset();
        return jobs;
      } catch (RuntimeException e) {
        if (closed) {
          return List.of();
        }
        if (RedisErrors.missingGroup(e)) {
          log.warn("group {} on {} is gone (Redis lost its data?); creating it again", s.group(), s.stream());
          groupReady = false;
          deliveries.restart();
          continue;
        }
        if (!RedisErrors.transientFailure(e)) {
          throw new RedisQueueException("worker " + name + " could not take jobs from " + s.stream() + ": " + e.getMessage(), e);
        }
        outage("taking jobs", e);
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return List.of();
        }
        if (pause(Math.min(takeBackoff.next(), TimeUnit.NANOSECONDS.toMillis(left) + 1))) {
          return List.of();
        }
      }
    }
  }

  // ----- the answer, before the download -----

  /**
   * Keeps the answer in Redis before the download starts (the pipeline waits for this call): if
   * this worker dies now, the worker that claims the job downloads these images rather than
   * paying for new ones. One try: a Redis that cannot take it is logged, and then only a death
   * of this worker before the job settles costs a second generation.
   */
  @Override
  public void generated(QueuedJob job, GeneratedImages images) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(images, "images");
    try {
      answers.keep(writer.commands(), job.job().id(), job.messageId(), images);
    } catch (RuntimeException e) {
      log.warn("worker {} could not keep the answer for job {} in Redis ({}); should this worker die before the job"
          + " settles, it will be generated (and paid for) again", name, job.job().id(), e.toString());
    }
  }

  // ----- settle -----

  @Override
  public void settle(QueuedJob job, JobResult result) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(result, "result");
    String id = job.messageId();
    String jobId = job.job().id();
    Step step;
    if (result instanceof JobResult.Failed f) {
      if (job.deliveries() < s.maxDeliveries()) {
        // Stays pending; without the heartbeat it is idle, and after the visibility timeout a
        // worker claims it again: the timeout is the pause between tries.
        held.remove(id);
        log.info("job {} failed on delivery {} of {} [{}]; it will be retried after {}", jobId,
            job.deliveries(), s.maxDeliveries(), f.errorCode(), s.visibilityTimeout());
        return;
      }
      step = publish(job, s.deadLetterStream(), "",
          QueueEntries.deadLetter(jobId, job.job().toJson(), f.errorCode(), f.message(), name, id, job.deliveries()));
    } else if (result instanceof JobResult.Skipped k) {
      step = switch (k.reason()) {
        case ALREADY_DONE -> publish(job, s.resultsStream(), jobId,
            QueueEntries.result(result, name, id, job.deliveries()));
        case INVALID -> publish(job, s.deadLetterStream(), "",
            QueueEntries.deadLetter(jobId, job.job().toJson(), "INVALID_JOB", k.message(), name, id,
                job.deliveries()));
        // Never started, so nothing was tried: back to the queue at once, the delivery uncounted.
        case CANCELLED, HALTED, BUDGET -> redis -> entries.release(redis, job, k.reason());
      };
    } else {
      step = publish(job, s.resultsStream(), jobId, QueueEntries.result(result, name, id, job.deliveries()));
    }
    settling.incrementAndGet();
    try {
      retryWhileAway(job, step);
    } finally {
      held.remove(id);
      if (settling.decrementAndGet() == 0) {
        synchronized (settling) {
          settling.notifyAll();
        }
      }
    }
  }

  private void retryWhileAway(QueuedJob job, Step step) {
    Backoff backoff = new Backoff(50, 2_000);
    boolean waited = false;
    while (true) {
      try {
        step.run(writer.commands());
        recovered();
        return;
      } catch (RuntimeException e) {
        if (closed) {
          log.warn("consumer {} closed before job {} was settled; entry {} stays pending and will be redelivered",
              name, job.job().id(), job.messageId());
          return;
        }
        if (!RedisErrors.transientFailure(e)) {
          throw new RedisQueueException("worker " + name + " could not settle job " + job.job().id() + " (entry "
              + job.messageId() + "): " + e.getMessage() + "; it stays pending and will be redelivered", e);
        }
        outage("settling job " + job.job().id(), e);
        if (!waited) {
          log.info("worker {}: job {} cannot be settled while Redis is unavailable; retrying until it can",
              name, job.job().id());
          waited = true;
        }
        pause(backoff.next());
      }
    }
  }

  /** One attempt at settling a job in Redis; retried while Redis is unavailable. */
  private interface Step {
    void run(RedisClusterCommands<String, String> redis);
  }

  /** Settles by finishing: acknowledged, deleted, published to {@code target}, its answer forgotten. */
  private Step publish(QueuedJob job, String target, String doneJob, List<String> fields) {
    return redis -> {
      if (!entries.finish(redis, job.messageId(), job.job().id(), target, doneJob, fields)) {
        log.info("job {} (entry {}) had been settled already, by another worker or an earlier try",
            job.job().id(), job.messageId());
      }
    };
  }

  // ----- outages -----

  private void outage(String what, RuntimeException e) {
    synchronized (outageLock) {
      if (outageSince == 0) {
        outageSince = System.nanoTime();
        log.warn("worker {}: Redis unavailable while {} ({}); retrying", name, what, e.toString());
      }
    }
  }

  private void recovered() {
    synchronized (outageLock) {
      if (outageSince != 0) {
        log.info("worker {}: Redis is back after {} ms", name,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageSince));
        outageSince = 0;
      }
    }
  }

  /** Waits {@code millis}, or less if the consumer closes; true when it closed. */
  private boolean pause(long millis) {
    try {
      return closedLatch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  // ----- close -----

  /**
   * Stops the heartbeat, lets settles that are under way finish (for up to the command timeout),
   * and closes both connections. Jobs taken and not settled stay pending (their answers kept):
   * after the visibility timeout other workers claim them.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closedLatch.countDown();
    heartbeat.close();
    long deadline = System.nanoTime() + s.commandTimeout().toNanos();
    synchronized (settling) {
      while (settling.get() > 0 && System.nanoTime() < deadline) {
        try {
          settling.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    reader.close();
    if (writer.isOpen() && held.isEmpty()) {
      try {
        QueueScripts.RETIRE.<Long>run(writer.commands(), ScriptOutputType.INTEGER, new String[] {s.stream()},
            s.group(), name);
      } catch (RuntimeException e) {
        log.debug("could not remove consumer {} from group {}: {}", name, s.group(), e.toString());
      }
    }
    writer.close();
    onClose.accept(this);
  }

  /** The worker's name, its consumer name in the group. */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "RedisQueueConsumer{" + name + " on " + s.stream() + "/" + s.group() + ", holding " + held.size() + '}';
  }
}

package ai.anycap.redis.internal;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.QueuedJob;
import ai.anycap.pipeline.SkipReason;
import ai.anycap.redis.RedisQueueException;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's end of a Redis job queue.
 *
 * <p>{@link #take}: first claims entries other workers left idle longer than the visibility
 * timeout (XAUTOCLAIM), then reads new ones (XREADGROUP {@code >}). Entries whose job is in the
 * done set are acknowledged and dropped; entries that are not jobs, and entries delivered more than
 * the maximum times without being settled (their workers kept dying), are dead-lettered. While a job
 * is held, a heartbeat resets its idle time every third of the visibility timeout.
 *
 * <p>{@link #settle}: a success (or a job a journal had done) is published to the results stream;
 * a failure stays pending for its next delivery, or is dead-lettered on its last; a malformed job
 * is dead-lettered; a job never started (cancelled, halted, over budget) is given back at once
 * ({@link QueueScripts#RELEASE}) without counting the delivery.
 *
 * <p>Two connections: one for the blocking read, one for everything else (settles from many
 * threads, the heartbeat). Commands that fail because Redis is away are retried: {@code take}
 * returns no job once its wait is over, {@code settle} keeps trying until it succeeds or the
 * consumer is closed.
 */
public final class RedisQueueConsumer implements QueueConsumer {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");
  private static final String START = "0-0";
  private static final int CLAIM_ROUNDS = 4;
  private static final int TOUCH_CHUNK = 200;
  /** The entry field {@link QueueScripts#RELEASE} sets: deliveries that counted, before this entry. */
  private static final String PRIOR_DELIVERIES = "prior_deliveries";

  private final QueueSettings s;
  private final java.util.function.Consumer<RedisQueueConsumer> onClose;
  private final String name;
  private final Consumer<String> me;
  private final RedisLink reader;
  private final RedisLink writer;
  private final ScheduledExecutorService heartbeat;
  private final Map<String, String> held = new ConcurrentHashMap<>();
  private final AtomicInteger settling = new AtomicInteger();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final Backoff takeBackoff = new Backoff(50, 1_000);
  private volatile boolean closed;
  private boolean groupReady;
  private String claimCursor = START;
  private final Object outageLock = new Object();
  private long outageSince;

  /**
   * @param onClose told when this consumer closes, so its queue forgets it
   */
  public RedisQueueConsumer(
      RedisClient client, QueueSettings settings, String name, java.util.function.Consumer<RedisQueueConsumer> onClose) {
    this.s = settings;
    this.name = name;
    this.onClose = onClose;
    this.me = Consumer.from(settings.group(), name);
    this.reader = new RedisLink(client, settings.commandTimeout());
    this.writer = new RedisLink(client, settings.commandTimeout());
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "anycap-redis-heartbeat-" + name);
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(10, settings.heartbeatInterval().toMillis());
    heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
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
        List<QueuedJob> jobs = takeOnce(max, Math.max(0, deadline - System.nanoTime()));
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
          claimCursor = START;
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

  private List<QueuedJob> takeOnce(int max, long waitNanos) {
    RedisCommands<String, String> redis = writer.commands();
    if (!groupReady) {
      StreamGroups.ensure(redis, s);
      groupReady = true;
    }
    List<QueuedJob> jobs = new ArrayList<>();
    try {
      claimAbandoned(redis, max, jobs);
      if (jobs.size() < max) {
        long waitMillis = jobs.isEmpty() ? TimeUnit.NANOSECONDS.toMillis(waitNanos) : 0;
        XReadArgs args = XReadArgs.Builder.count(max - jobs.size());
        if (waitMillis > 0) {
          args.block(waitMillis);
        }
        List<StreamMessage<String, String>> fresh = readNew(args, waitMillis);
        if (fresh != null && !fresh.isEmpty()) {
          Map<String, Long> deliveries = new HashMap<>();
          fresh.forEach(m -> deliveries.put(m.getId(), 1L));
          jobs.addAll(accept(redis, fresh, deliveries));
        }
      }
    } catch (RuntimeException e) {
      if (jobs.isEmpty()) {
        throw e;
      }
      // Jobs already held must be handed over, or the heartbeat would keep them from everyone.
      log.debug("worker {}: returning {} job(s) taken before a failure: {}", name, jobs.size(), e.toString());
    }
    return jobs;
  }

  /** XREADGROUP ... STREAMS stream >, on the reader link, whose timeout covers the block. */
  @SuppressWarnings("unchecked")
  private List<StreamMessage<String, String>> readNew(XReadArgs args, long blockMillis) {
    return reader.commands(s.commandTimeout().plusMillis(blockMillis))
        .xreadgroup(me, args, StreamOffset.lastConsumed(s.stream()));
  }

  /** Claims entries idle longer than the visibility timeout: jobs of workers that died. */
  private void claimAbandoned(RedisCommands<String, String> redis, int max, List<QueuedJob> jobs) {
    for (int round = 0; round < CLAIM_ROUNDS && jobs.size() < max; round++) {
      ClaimedMessages<String, String> claimed =
          redis.xautoclaim(s.stream(),
              XAutoClaimArgs.Builder.xautoclaim(me, s.visibilityTimeout(), claimCursor).count(max - jobs.size()));
      String next = claimed.getId();
      claimCursor = next == null ? START : next;
      List<StreamMessage<String, String>> messages = new ArrayList<>();
      for (StreamMessage<String, String> m : claimed.getMessages()) {
        if (m != null && m.getId() != null) {
          messages.add(m);
        }
      }
      if (!messages.isEmpty()) {
        log.info("worker {} claimed {} job(s) idle longer than {}", name, messages.size(), s.visibilityTimeout());
        jobs.addAll(accept(redis, messages, deliveryCounts(redis, messages)));
      }
      if (START.equals(claimCursor)) {
        break;
      }
    }
  }

  /** How often each claimed entry has been delivered, this time included. */
  private Map<String, Long> deliveryCounts(RedisCommands<String, String> redis, List<StreamMessage<String, String>> messages) {
    String first = messages.get(0).getId();
    String last = messages.get(messages.size() - 1).getId();
    List<PendingMessage> pending =
        redis.xpending(s.stream(),
            XPendingArgs.Builder.xpending(me, Range.create(first, last), Limit.from(messages.size() + held.size() + 16)));
    Map<String, Long> counts = new HashMap<>();
    for (PendingMessage p : pending) {
      counts.put(p.getId(), p.getRedeliveryCount());
    }
    return counts;
  }

  /**
   * Turns delivered entries into jobs: drops the ones already done, dead-letters the ones that
   * cannot be run, holds the rest (the heartbeat keeps them).
   */
  private List<QueuedJob> accept(
      RedisCommands<String, String> redis, List<StreamMessage<String, String>> messages, Map<String, Long> deliveries) {
    List<QueuedJob> candidates = new ArrayList<>();
    for (StreamMessage<String, String> m : messages) {
      Map<String, String> body = m.getBody();
      if (body == null || body.isEmpty()) {
        // Deleted from the stream while pending: nothing left to run.
        finish(redis, m.getId(), s.doneSet(), "", List.of());
        continue;
      }
      long count = deliveries.getOrDefault(m.getId(), 1L) + priorDeliveries(body);
      String json = body.get("job");
      if (json == null) {
        deadLetter(redis, m.getId(), null, String.valueOf(body), "INVALID_JOB",
            "the entry has no 'job' field, only " + body.keySet(), count);
        continue;
      }
      ImageJob job;
      try {
        job = ImageJob.fromJson(json);
      } catch (RuntimeException e) {
        deadLetter(redis, m.getId(), null, json, "INVALID_JOB", "the entry is not a job: " + e.getMessage(), count);
        continue;
      }
      candidates.add(new QueuedJob(m.getId(), job, count));
    }
    if (candidates.isEmpty()) {
      return candidates;
    }
    List<Boolean> done =
        redis.smismember(s.doneSet(), candidates.stream().map(q -> q.job().id()).toArray(String[]::new));
    List<QueuedJob> jobs = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      QueuedJob q = candidates.get(i);
      if (Boolean.TRUE.equals(done.get(i))) {
        log.info("job {} is done already (its worker stopped before acknowledging it); dropping entry {}",
            q.job().id(), q.messageId());
        finish(redis, q.messageId(), s.doneSet(), "", List.of());
      } else if (q.deliveries() > s.maxDeliveries()) {
        deadLetter(redis, q.messageId(), q.job().id(), q.job().toJson(), "MAX_DELIVERIES",
            "delivered " + q.deliveries() + " times and never settled: its workers stopped or died while running it",
            q.deliveries());
      } else {
        held.put(q.messageId(), q.job().id());
        jobs.add(q);
      }
    }
    return jobs;
  }

  /**
   * Deliveries of the job in entries before this one, which a worker gave back unstarted
   * ({@link QueueScripts#RELEASE}): they are not in this entry's delivery count.
   */
  private static long priorDeliveries(Map<String, String> body) {
    String prior = body.get(PRIOR_DELIVERIES);
    if (prior == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(prior));
    } catch (NumberFormatException e) {
      return 0;
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
        case CANCELLED, HALTED, BUDGET -> redis -> release(redis, job, k.reason());
      };
    } else {
      step = publish(job, s.resultsStream(), jobId, QueueEntries.result(result, name, id, job.deliveries()));
    }
    settling.incrementAndGet();
    try {
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
                name, job.job().id(), id);
            return;
          }
          if (!RedisErrors.transientFailure(e)) {
            throw new RedisQueueException("worker " + name + " could not settle job " + job.job().id() + " (entry "
                + id + "): " + e.getMessage() + "; it stays pending and will be redelivered", e);
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
    } finally {
      held.remove(id);
      if (settling.decrementAndGet() == 0) {
        synchronized (settling) {
          settling.notifyAll();
        }
      }
    }
  }

  /** One attempt at settling a job in Redis; retried while Redis is unavailable. */
  private interface Step {
    void run(RedisCommands<String, String> redis);
  }

  /** Settles by {@link #finish}: acknowledged, deleted, published to {@code target}. */
  private Step publish(QueuedJob job, String target, String doneJob, List<String> fields) {
    return redis -> {
      if (!finish(redis, job.messageId(), target, doneJob, fields)) {
        log.info("job {} (entry {}) had been settled already, by another worker or an earlier try",
            job.job().id(), job.messageId());
      }
    };
  }

  /** Runs {@link QueueScripts#RELEASE} for a job this worker took and did not start. */
  private void release(RedisCommands<String, String> redis, QueuedJob job, SkipReason why) {
    long prior = job.deliveries() - 1;
    Long released = QueueScripts.RELEASE.run(redis, ScriptOutputType.INTEGER, new String[] {s.stream()},
        s.group(), job.messageId(), name, Long.toString(prior));
    if (released != null && released == 1L) {
      log.info("worker {} gave job {} (entry {}) back unstarted [{}]; another worker can take it now", name,
          job.job().id(), job.messageId(), why);
    } else if (released != null && released == -1L) {
      log.info("job {} (entry {}) not started here [{}] belongs to another worker now", job.job().id(),
          job.messageId(), why);
    } else {
      log.info("job {} (entry {}) not started here [{}] had been settled already", job.job().id(),
          job.messageId(), why);
    }
  }

  private void deadLetter(RedisCommands<String, String> redis, String entryId, String jobId, String jobText,
      String code, String message, long deliveries) {
    log.warn("dead-lettering entry {} of {} [{}]: {}", entryId, s.stream(), code, message);
    finish(redis, entryId, s.deadLetterStream(), "",
        QueueEntries.deadLetter(jobId, jobText, code, message, name, entryId, deliveries));
  }

  /** Runs {@link QueueScripts#FINISH}; false when the entry had been acknowledged already. */
  private boolean finish(RedisCommands<String, String> redis, String entryId, String target, String doneJob,
      List<String> fields) {
    String[] args = new String[3 + fields.size()];
    args[0] = s.group();
    args[1] = entryId;
    args[2] = doneJob;
    for (int i = 0; i < fields.size(); i++) {
      args[3 + i] = fields.get(i);
    }
    Long acked = QueueScripts.FINISH.run(redis, ScriptOutputType.INTEGER,
        new String[] {s.stream(), target, s.doneSet()}, args);
    return acked != null && acked == 1L;
  }

  // ----- heartbeat -----

  private void beat() {
    if (closed || held.isEmpty()) {
      return;
    }
    List<String> ids = new ArrayList<>(held.keySet());
    try {
      RedisCommands<String, String> redis = writer.commands();
      for (int from = 0; from < ids.size(); from += TOUCH_CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + TOUCH_CHUNK));
        String[] args = new String[2 + chunk.size()];
        args[0] = s.group();
        args[1] = name;
        for (int i = 0; i < chunk.size(); i++) {
          args[2 + i] = chunk.get(i);
        }
        List<Object> lost = QueueScripts.TOUCH.run(redis, ScriptOutputType.MULTI, new String[] {s.stream()}, args);
        for (Object o : lost) {
          String entry = String.valueOf(o);
          String jobId = held.remove(entry);
          if (jobId != null) {
            log.warn("worker {} lost job {} (entry {}) to another worker: it went without a heartbeat for {} "
                + "while running here, and may be made twice", name, jobId, entry, s.visibilityTimeout());
          }
        }
      }
    } catch (RuntimeException e) {
      if (!closed) {
        log.debug("heartbeat of worker {} failed: {}", name, e.toString());
      }
    }
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
   * and closes both connections. Jobs taken and not settled stay pending: after the visibility
   * timeout other workers claim them.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closedLatch.countDown();
    heartbeat.shutdownNow();
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

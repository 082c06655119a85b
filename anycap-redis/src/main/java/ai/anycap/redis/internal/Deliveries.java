package ai.anycap.redis.internal;

import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.QueuedJob;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The taking side of a worker: first claims entries other workers left idle longer than the
 * visibility timeout (XAUTOCLAIM: they died holding them), then reads new ones (XREADGROUP
 * {@code >}). Entries whose job is in the done set are acknowledged and dropped; entries that are
 * not jobs, and entries delivered more than the maximum times without being settled (their
 * workers kept dying), are dead-lettered; the rest are held (the heartbeat keeps them), each with
 * the generate answer a dead worker kept for it, if any, so that it is downloaded, not paid for
 * again.
 *
 * <p>Not thread-safe: the consumer's {@code take} is synchronized.
 */
final class Deliveries {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");
  private static final String START = "0-0";
  private static final int CLAIM_ROUNDS = 4;
  /** The entry field {@link QueueScripts#RELEASE} sets: deliveries that counted, before this entry. */
  private static final String PRIOR_DELIVERIES = "prior_deliveries";

  private final QueueSettings s;
  private final String worker;
  private final Consumer<String> me;
  private final RedisLink reader;
  private final Map<String, String> held;
  private final EntryScripts entries;
  private final Answers answers;
  private String claimCursor = START;

  /**
   * @param reader the link for the blocking read, whose timeout covers the block
   * @param held the entries this worker holds, by entry id (their job ids), for the heartbeat
   */
  Deliveries(QueueSettings settings, String worker, RedisLink reader, Map<String, String> held, EntryScripts entries,
      Answers answers) {
    this.s = settings;
    this.worker = worker;
    this.me = Consumer.from(settings.group(), worker);
    this.reader = reader;
    this.held = held;
    this.entries = entries;
    this.answers = answers;
  }

  /** Starts claiming from the stream's start again (the group was created anew). */
  void restart() {
    claimCursor = START;
  }

  /** Claims what others abandoned, then reads new entries, waiting up to {@code waitNanos} for one. */
  List<QueuedJob> take(RedisClusterCommands<String, String> redis, int max, long waitNanos) {
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
      log.debug("worker {}: returning {} job(s) taken before a failure: {}", worker, jobs.size(), e.toString());
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
  private void claimAbandoned(RedisClusterCommands<String, String> redis, int max, List<QueuedJob> jobs) {
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
        log.info("worker {} claimed {} job(s) idle longer than {}", worker, messages.size(), s.visibilityTimeout());
        jobs.addAll(accept(redis, messages, deliveryCounts(redis, messages)));
      }
      if (START.equals(claimCursor)) {
        break;
      }
    }
  }

  /** How often each claimed entry has been delivered, this time included. */
  private Map<String, Long> deliveryCounts(
      RedisClusterCommands<String, String> redis, List<StreamMessage<String, String>> messages) {
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
   * cannot be run, holds the rest with the answers kept for them.
   */
  private List<QueuedJob> accept(RedisClusterCommands<String, String> redis, List<StreamMessage<String, String>> messages,
      Map<String, Long> deliveries) {
    List<QueuedJob> candidates = new ArrayList<>();
    for (StreamMessage<String, String> m : messages) {
      Map<String, String> body = m.getBody();
      if (body == null || body.isEmpty()) {
        // Deleted from the stream while pending: nothing left to run.
        entries.finish(redis, m.getId(), null, s.doneSet(), "", List.of());
        continue;
      }
      long count = deliveries.getOrDefault(m.getId(), 1L) + priorDeliveries(body);
      String json = body.get("job");
      if (json == null) {
        entries.deadLetter(redis, m.getId(), null, String.valueOf(body), "INVALID_JOB",
            "the entry has no 'job' field, only " + body.keySet(), count);
        continue;
      }
      ImageJob job;
      try {
        job = ImageJob.fromJson(json);
      } catch (RuntimeException e) {
        entries.deadLetter(redis, m.getId(), null, json, "INVALID_JOB", "the entry is not a job: " + e.getMessage(), count);
        continue;
      }
      candidates.add(new QueuedJob(m.getId(), job, count));
    }
    if (candidates.isEmpty()) {
      return candidates;
    }
    List<String> ids = candidates.stream().map(q -> q.job().id()).toList();
    List<Boolean> done = redis.smismember(s.doneSet(), ids.toArray(String[]::new));
    Map<String, GeneratedImages> kept = answers.find(redis, ids);
    List<QueuedJob> jobs = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      QueuedJob q = candidates.get(i);
      if (Boolean.TRUE.equals(done.get(i))) {
        log.info("job {} is done already (its worker stopped before acknowledging it); dropping entry {}",
            q.job().id(), q.messageId());
        entries.finish(redis, q.messageId(), q.job().id(), s.doneSet(), "", List.of());
      } else if (q.deliveries() > s.maxDeliveries()) {
        entries.deadLetter(redis, q.messageId(), q.job().id(), q.job().toJson(), "MAX_DELIVERIES",
            "delivered " + q.deliveries() + " times and never settled: its workers stopped or died while running it",
            q.deliveries());
      } else {
        GeneratedImages answer = kept.get(q.job().id());
        if (answer != null) {
          log.info("job {} (entry {}) comes with the images an earlier delivery was answered (and billed) for:"
              + " downloading them, not generating again", q.job().id(), q.messageId());
          q = new QueuedJob(q.messageId(), q.job(), q.deliveries(), answer);
        }
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
}

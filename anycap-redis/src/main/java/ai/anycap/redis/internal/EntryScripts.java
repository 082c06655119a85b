package ai.anycap.redis.internal;

import ai.anycap.pipeline.QueuedJob;
import ai.anycap.pipeline.SkipReason;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one worker does to the entries it took, each step one of {@link QueueScripts} on the
 * queue's keys: finish one (acknowledge, publish, mark done, forget its answer), dead-letter one,
 * or give one back unstarted.
 */
final class EntryScripts {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");

  private final QueueSettings s;
  private final String worker;

  EntryScripts(QueueSettings settings, String worker) {
    this.s = settings;
    this.worker = worker;
  }

  /**
   * Runs {@link QueueScripts#FINISH}: publishes {@code fields} to {@code target} (none: nothing),
   * marks {@code doneJob} done ('' for none); false when the entry had been acknowledged already.
   *
   * @param jobId the job's id, whose kept answer goes; null when the entry was no job
   */
  boolean finish(RedisClusterCommands<String, String> redis, String entryId, String jobId, String target,
      String doneJob, List<String> fields) {
    String[] args = new String[3 + fields.size()];
    args[0] = s.group();
    args[1] = entryId;
    args[2] = doneJob;
    for (int i = 0; i < fields.size(); i++) {
      args[3 + i] = fields.get(i);
    }
    // An entry that was no job has no answer: the bare prefix, a key nothing writes, keeps the slot.
    String answer = jobId == null ? s.answerPrefix() : s.answerKey(jobId);
    Long acked = QueueScripts.FINISH.run(redis, ScriptOutputType.INTEGER,
        new String[] {s.stream(), target, s.doneSet(), answer}, args);
    return acked != null && acked == 1L;
  }

  /** Finishes an entry into the dead-letter stream, with why. */
  void deadLetter(RedisClusterCommands<String, String> redis, String entryId, String jobId, String jobText,
      String code, String message, long deliveries) {
    log.warn("dead-lettering entry {} of {} [{}]: {}", entryId, s.stream(), code, message);
    finish(redis, entryId, jobId, s.deadLetterStream(), "",
        QueueEntries.deadLetter(jobId, jobText, code, message, worker, entryId, deliveries));
  }

  /** Runs {@link QueueScripts#RELEASE} for a job this worker took and did not start. */
  void release(RedisClusterCommands<String, String> redis, QueuedJob job, SkipReason why) {
    long prior = job.deliveries() - 1;
    Long released = QueueScripts.RELEASE.run(redis, ScriptOutputType.INTEGER, new String[] {s.stream()},
        s.group(), job.messageId(), worker, Long.toString(prior));
    if (released != null && released == 1L) {
      log.info("worker {} gave job {} (entry {}) back unstarted [{}]; another worker can take it now", worker,
          job.job().id(), job.messageId(), why);
    } else if (released != null && released == -1L) {
      log.info("job {} (entry {}) not started here [{}] belongs to another worker now", job.job().id(),
          job.messageId(), why);
    } else {
      log.info("job {} (entry {}) not started here [{}] had been settled already", job.job().id(),
          job.messageId(), why);
    }
  }
}

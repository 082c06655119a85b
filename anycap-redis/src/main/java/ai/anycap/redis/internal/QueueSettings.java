package ai.anycap.redis.internal;

import java.time.Duration;

/**
 * What a {@code RedisJobQueue} was built with: key names and limits, already validated.
 *
 * @param stream the stream of jobs waiting or being worked
 * @param group the consumer group the workers share
 * @param resultsStream where finished jobs are published
 * @param deadLetterStream where jobs that cannot succeed end up
 * @param doneSet ids of the jobs that succeeded
 * @param producersKey a hash of each running producer's last acknowledged batch, for retries
 * @param answerPrefix the key of a job's generate answer, kept before its download, is this and the
 *     job's id
 * @param visibilityTimeout how long a taken job may go without a heartbeat before others take it
 * @param maxDeliveries deliveries after which a failing job is dead-lettered
 * @param maxStreamLength the most unfinished jobs the stream may hold; producers wait beyond it
 * @param batchSize jobs per enqueue round trip
 * @param commandTimeout the longest a single command may take
 * @param reconnectTimeout how long a producer keeps retrying while Redis is unreachable
 * @param answerTtl how long a job's generate answer is kept when nobody settles the job
 */
public record QueueSettings(
    String stream,
    String group,
    String resultsStream,
    String deadLetterStream,
    String doneSet,
    String producersKey,
    String answerPrefix,
    Duration visibilityTimeout,
    int maxDeliveries,
    long maxStreamLength,
    int batchSize,
    Duration commandTimeout,
    Duration reconnectTimeout,
    Duration answerTtl) {

  /** The key of the generate answer kept for job {@code jobId}, in the queue's hash slot. */
  public String answerKey(String jobId) {
    return answerPrefix + jobId;
  }

  /** How often a worker refreshes the jobs it holds: three times per visibility timeout. */
  public Duration heartbeatInterval() {
    return visibilityTimeout.dividedBy(3);
  }
}

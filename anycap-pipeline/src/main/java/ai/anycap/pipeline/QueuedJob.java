package ai.anycap.pipeline;

import java.util.Objects;

/**
 * A job as a queue delivered it.
 *
 * @param messageId the queue's id for this entry
 * @param job the job
 * @param deliveries how many times the entry has been delivered, this time included
 */
public record QueuedJob(String messageId, ImageJob job, long deliveries) {

  /**
   * A job as delivered.
   *
   * @param messageId the queue's id for this entry
   * @param job the job
   * @param deliveries how many times the entry has been delivered, this time included
   */
  public QueuedJob {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(job, "job");
  }
}

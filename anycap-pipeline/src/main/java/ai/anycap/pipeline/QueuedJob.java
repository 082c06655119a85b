package ai.anycap.pipeline;

import java.util.Objects;
import java.util.Optional;

/**
 * A job as a queue delivered it.
 *
 * @param messageId the queue's id for this entry
 * @param job the job
 * @param deliveries how many times the entry has been delivered, this time included
 * @param generated images the server generated for the job on an earlier delivery (a worker that
 *     died before downloading them told the queue through {@link QueueConsumer#generated}), or
 *     null; the worker downloads them instead of generating again
 */
public record QueuedJob(String messageId, ImageJob job, long deliveries, GeneratedImages generated) {

  /**
   * A job as delivered.
   *
   * @param messageId the queue's id for this entry
   * @param job the job
   * @param deliveries how many times the entry has been delivered, this time included
   * @param generated images generated for it on an earlier delivery, or null
   */
  public QueuedJob {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(job, "job");
  }

  /**
   * A job as delivered, with no images from an earlier delivery.
   *
   * @param messageId the queue's id for this entry
   * @param job the job
   * @param deliveries how many times the entry has been delivered, this time included
   */
  public QueuedJob(String messageId, ImageJob job, long deliveries) {
    this(messageId, job, deliveries, null);
  }

  /** {@return the images generated for the job on an earlier delivery, when there are some} */
  public Optional<GeneratedImages> earlierImages() {
    return Optional.ofNullable(generated);
  }
}

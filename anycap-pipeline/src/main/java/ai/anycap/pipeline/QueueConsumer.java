package ai.anycap.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * One worker's end of a {@link JobQueue}: takes jobs and reports how each ended. {@link
 * ImagePipeline#work(QueueConsumer)} drives it; implement it to put the pipeline on another queue.
 *
 * <p>How {@link #settle} treats a result: a job that succeeded (or had already succeeded) is
 * acknowledged, recorded as done and published; a job that failed returns to the queue for
 * another delivery until it has had the queue's maximum, then goes to a dead-letter place with its
 * error; a malformed job goes there at once; a job that was not started (budget, halt, shutdown) is
 * left for another worker.
 */
public interface QueueConsumer extends AutoCloseable {

  /**
   * Takes at most {@code max} jobs, waiting up to {@code wait} for the first one. Jobs other
   * workers abandoned (they died holding them) are among those taken.
   *
   * @param max the most jobs to take, at least 1
   * @param wait how long to wait for the first job
   * @return the jobs taken; empty when none came in time
   */
  List<QueuedJob> take(int max, Duration wait);

  /**
   * Records how a job taken from this consumer ended.
   *
   * @param job the job, as taken
   * @param result how it ended
   */
  void settle(QueuedJob job, JobResult result);

  /** Stops this worker's use of the queue; jobs taken and not settled go back to others in time. */
  @Override
  void close();
}

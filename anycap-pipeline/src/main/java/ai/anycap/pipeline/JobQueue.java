package ai.anycap.pipeline;

/**
 * A queue of jobs shared by producers and many workers, so that a batch too big for one machine
 * can be spread over several. {@code anycap-redis} provides one on Redis Streams.
 *
 * <pre>{@code
 * long added = queue.enqueueAll(CsvJobSource.builder()...build());   // producer
 * try (QueueConsumer consumer = queue.consumer("worker-1")) {         // each worker
 *   BatchReport report = pipeline.work(consumer).join();
 * }
 * }</pre>
 */
public interface JobQueue {

  /**
   * Adds every job of {@code jobs}, waiting while the queue is full (back-pressure).
   *
   * @param jobs the jobs to add, in order
   * @return how many jobs were added
   */
  long enqueueAll(JobSource jobs);

  /**
   * The worker side, for one worker.
   *
   * @param workerName a name unique among live workers
   * @return the worker's consumer; close it when the worker stops
   */
  QueueConsumer consumer(String workerName);
}

package ai.anycap.spring.internal;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobQueue;
import ai.anycap.pipeline.QueueConsumer;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Works a queue with the pipeline while the context runs. Stopping cancels the worker (no job
 * starts after that), waits until its running jobs are settled with the queue, then releases the
 * consumer; the pipeline and the queue close after it, as beans it depends on.
 */
public final class QueueWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.spring");

  private final JobQueue queue;
  private final ImagePipeline pipeline;
  private final String name;
  private QueueConsumer consumer;
  private CompletableFuture<BatchReport> work;

  public QueueWorker(JobQueue queue, ImagePipeline pipeline, String name) {
    this.queue = queue;
    this.pipeline = pipeline;
    this.name = name != null && !name.isBlank() ? name : ManagementFactory.getRuntimeMXBean().getName();
  }

  @Override
  public synchronized void start() {
    consumer = queue.consumer(name);
    work = pipeline.work(consumer);
    log.info("AnyCap queue worker {} started", name);
  }

  @Override
  public synchronized void stop() {
    if (work == null) {
      return;
    }
    // Cancelling stops the worker taking jobs; closing the pipeline waits until the running ones
    // are settled with the queue, so that the consumer goes last (closing again later is a no-op).
    work.cancel(true);
    try {
      pipeline.close();
    } finally {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        log.warn("closing the queue consumer {} failed: {}", name, e.toString());
      }
      work = null;
      log.info("AnyCap queue worker {} stopped", name);
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return work != null;
  }

  /** The name this worker has in the queue's consumer group. */
  public String name() {
    return name;
  }
}

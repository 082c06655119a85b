package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.PipelineListener;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Delivers listener events on one thread of their own, in order, so that a slow listener delays
 * other events but never a request, and a failing one is logged and otherwise ignored. Run reports
 * reach their callers through the same thread, after the run's last event.
 */
final class ListenerEvents {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.pipeline");

  private final List<PipelineListener> listeners;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(daemon("anycap-pipeline-events"));

  ListenerEvents(List<PipelineListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /** Tells every listener, with the job id (when there is one) in the MDC as {@code anycap.job}. */
  void emit(String jobId, Consumer<PipelineListener> event) {
    if (listeners.isEmpty()) {
      return;
    }
    thread.execute(
        () -> {
          if (jobId != null) {
            MDC.put("anycap.job", jobId);
          }
          try {
            for (PipelineListener l : listeners) {
              try {
                event.accept(l);
              } catch (RuntimeException e) {
                log.warn("listener {} failed: {}", l.getClass().getName(), e.toString(), e);
              }
            }
          } finally {
            MDC.remove("anycap.job");
          }
        });
  }

  /** Runs {@code task} after every event emitted so far. */
  void afterEvents(Runnable task) {
    thread.execute(task);
  }

  /** Lets the events emitted so far be delivered (up to a minute), then stops the thread. */
  void shutdown() {
    thread.shutdown();
    try {
      thread.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

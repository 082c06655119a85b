package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.Retry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every run of one pipeline shares: the client, the concurrency permits, the request pacer,
 * the budget, the journal, the retry policy, the scheduler for retry delays and the serial executor that delivers
 * listener events.
 */
public final class PipelineCore {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.pipeline");

  public final AnyCapClient client;
  public final JobResolver resolver;
  public final AsyncPermits permits;
  public final Spending spending;
  public final Journal journal;
  public final Retry retry;
  public final Duration jobTimeout;
  public final Duration attemptTimeout;
  public final ScheduledExecutorService scheduler;
  public final Executor events;
  public final List<PipelineListener> listeners;
  public final Clock clock;
  public final boolean skipInvalidRows;
  public final boolean deduplicate;
  public final List<ai.anycap.pipeline.ImageSink> sinks;
  public final Retry sinkRetry;
  public final RequestPacer pacer;
  private volatile boolean closed;

  public PipelineCore(
      AnyCapClient client,
      JobResolver resolver,
      AsyncPermits permits,
      Spending spending,
      Journal journal,
      Retry retry,
      Duration jobTimeout,
      Duration attemptTimeout,
      ScheduledExecutorService scheduler,
      Executor events,
      List<PipelineListener> listeners,
      Clock clock,
      boolean skipInvalidRows,
      boolean deduplicate,
      List<ai.anycap.pipeline.ImageSink> sinks,
      Retry sinkRetry,
      boolean adaptive,
      double ratePerSecond) {
    this.client = client;
    this.resolver = resolver;
    this.permits = permits;
    this.spending = spending;
    this.journal = journal;
    this.retry = retry;
    this.jobTimeout = jobTimeout;
    this.attemptTimeout = attemptTimeout;
    this.scheduler = scheduler;
    this.events = events;
    this.listeners = List.copyOf(listeners);
    this.clock = clock;
    this.skipInvalidRows = skipInvalidRows;
    this.deduplicate = deduplicate;
    this.sinks = List.copyOf(sinks);
    this.sinkRetry = sinkRetry;
    this.pacer =
        new RequestPacer(adaptive, ratePerSecond > 0 ? ratePerSecond : Double.POSITIVE_INFINITY,
            retry.maxRetryAfter(), System::nanoTime, RequestPacer.Timer.of(scheduler),
            pace -> emit(null, l -> l.onPaceChanged(pace)));
  }

  public boolean closed() {
    return closed;
  }

  public void markClosed() {
    closed = true;
  }

  /** Delivers an event to every listener on the event thread, with the job id in the MDC. */
  public void emit(String jobId, java.util.function.Consumer<PipelineListener> event) {
    if (listeners.isEmpty()) {
      return;
    }
    events.execute(
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
}

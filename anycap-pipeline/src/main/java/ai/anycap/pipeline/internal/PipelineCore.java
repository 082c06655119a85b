package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.ADAPTIVE_RATE;
import static ai.anycap.pipeline.internal.PipelineSettings.BUDGET;
import static ai.anycap.pipeline.internal.PipelineSettings.CLIENT;
import static ai.anycap.pipeline.internal.PipelineSettings.CLOCK;
import static ai.anycap.pipeline.internal.PipelineSettings.CONCURRENCY;
import static ai.anycap.pipeline.internal.PipelineSettings.DEFAULT_MODEL;
import static ai.anycap.pipeline.internal.PipelineSettings.DEFAULT_PARAMS;
import static ai.anycap.pipeline.internal.PipelineSettings.JOURNAL;
import static ai.anycap.pipeline.internal.PipelineSettings.LISTENERS;
import static ai.anycap.pipeline.internal.PipelineSettings.OUTPUT_CHECK;
import static ai.anycap.pipeline.internal.PipelineSettings.OUTPUT_ROOT;
import static ai.anycap.pipeline.internal.PipelineSettings.PRICES;
import static ai.anycap.pipeline.internal.PipelineSettings.RATE_LIMIT;
import static ai.anycap.pipeline.internal.PipelineSettings.REFERENCE_DIRECTORY;
import static ai.anycap.pipeline.internal.PipelineSettings.RETRY;
import static ai.anycap.pipeline.internal.PipelineSettings.SCHEDULER;
import static ai.anycap.pipeline.internal.PipelineSettings.SHARED_PACE;
import static ai.anycap.pipeline.internal.PipelineSettings.SINKS;
import static ai.anycap.pipeline.internal.PipelineSettings.SINK_RETRY;
import static ai.anycap.pipeline.internal.PipelineSettings.TEMPLATES;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.SharedPace;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * What every run of one pipeline shares, made once from its settings: the client, the job
 * resolver, the concurrency permits, the request pacer, the budget, the journal (never null:
 * {@link Journal#none()} without a file), the sinks, the scheduler for retry delays, and the
 * thread that tells the listeners.
 */
public final class PipelineCore {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("ai.anycap.pipeline");

  private final PipelineSettings settings;
  private final Journal journal;
  private final JobResolver resolver;
  private final AsyncPermits permits;
  /** Jobs downloading and delivering their images, each having made its paid call: see {@link JobPermit}. */
  private final AsyncPermits deliveries;
  private final Spending spending;
  private final ScheduledExecutorService ownedScheduler;
  private final ScheduledExecutorService scheduler;
  private final AttemptScheduler attempts;
  private final ListenerEvents events;
  private final RequestPacer pacer;
  private final SinkDelivery delivery;
  private final Instant builtAt = Instant.now();
  private volatile boolean closed;

  /**
   * Opens the journal and starts the pipeline's threads.
   *
   * @throws ai.anycap.pipeline.JournalException when the journal cannot be read
   */
  public PipelineCore(PipelineSettings settings) {
    this.settings = settings;
    OutputPaths outputs = new OutputPaths(settings.get(OUTPUT_ROOT));
    Path journalFile = settings.get(JOURNAL);
    // First, so that a journal that cannot be read leaves no thread behind.
    journal = journalFile == null
        ? Journal.none()
        : Journal.open(journalFile, outputs.root(), settings.get(CLOCK), settings.get(OUTPUT_CHECK),
            settings.get(CLIENT).images()::referenceSha256);
    resolver = new JobResolver(settings.get(TEMPLATES), settings.get(DEFAULT_MODEL), settings.get(DEFAULT_PARAMS), outputs,
        settings.get(REFERENCE_DIRECTORY));
    permits = new AsyncPermits(settings.get(CONCURRENCY));
    deliveries = new AsyncPermits(settings.get(CONCURRENCY));
    spending = new Spending(settings.get(BUDGET), settings.get(PRICES));
    ownedScheduler = settings.has(SCHEDULER)
        ? null
        : Executors.newSingleThreadScheduledExecutor(ListenerEvents.daemon("anycap-pipeline-retry"));
    scheduler = ownedScheduler != null ? ownedScheduler : settings.get(SCHEDULER);
    attempts = new AttemptScheduler(scheduler);
    events = new ListenerEvents(settings.get(LISTENERS));
    Retry retry = settings.get(RETRY);
    double ratePerSecond = settings.get(RATE_LIMIT);
    double fixedRate = ratePerSecond > 0 ? ratePerSecond : Double.POSITIVE_INFINITY;
    Consumer<RequestPace> paceChanged = pace -> emit(null, l -> l.onPaceChanged(pace));
    SharedPace shared = settings.get(SHARED_PACE);
    this.pacer = shared == null
        ? new RequestPacer(settings.get(ADAPTIVE_RATE), fixedRate, retry.maxRetryAfter(), System::nanoTime,
            RequestPacer.Timer.of(scheduler), paceChanged)
        : RequestPacer.sharing(shared, settings.get(ADAPTIVE_RATE), fixedRate, retry.maxRetryAfter(), System::nanoTime,
            RequestPacer.Timer.of(scheduler), paceChanged);
    delivery = new SinkDelivery(settings.get(SINKS), settings.get(SINK_RETRY), scheduler, this::closed);
  }

  public PipelineSettings settings() {
    return settings;
  }

  public AnyCapClient client() {
    return settings.get(CLIENT);
  }

  public JobResolver resolver() {
    return resolver;
  }

  /** The permits of jobs making their paid calls: {@code concurrency} of them. */
  public AsyncPermits permits() {
    return permits;
  }

  /** A job that holds a permit of {@link #permits()}: its hold, to hand over to a delivery permit. */
  JobPermit jobPermit() {
    return new JobPermit(permits, deliveries);
  }

  public Spending spending() {
    return spending;
  }

  public Journal journal() {
    return journal;
  }

  public RequestPacer pacer() {
    return pacer;
  }

  /** Where Failsafe runs attempts: see {@link AttemptScheduler}. */
  dev.failsafe.spi.Scheduler attempts() {
    return attempts;
  }

  SinkDelivery delivery() {
    return delivery;
  }

  /**
   * Deletes the temporary files that runs killed mid-download left under the output root: only
   * ours (by their name), and only those last written before this pipeline was built, so that the
   * downloads of a run still going elsewhere are left alone.
   *
   * @return how many were deleted
   */
  long removeLeftovers() {
    long n = OutputFiles.removeLeftovers(resolver.outputs().root(), builtAt);
    if (n > 0) {
      log.info("removed {} temporary file(s) that an earlier run left under {}", n, resolver.outputs().root());
    }
    return n;
  }

  /** Tells every listener on the event thread, in order, with the job id (if any) in the MDC. */
  public void emit(String jobId, Consumer<PipelineListener> event) {
    events.emit(jobId, event);
  }

  /** Runs {@code task} on the event thread, after every event emitted so far. */
  void afterEvents(Runnable task) {
    events.afterEvents(task);
  }

  public boolean closed() {
    return closed;
  }

  /** Stops new work: no job starts after this, and jobs waiting for a permit give up. */
  public void stopTakingJobs() {
    closed = true;
    permits.cancelWaiters(new CancellationException("pipeline closed"));
  }

  /** Once every run has ended: delivers the last events, stops the threads, closes the journal. */
  public void shutdown() {
    events.shutdown();
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    journal.close();
  }
}

package ai.anycap.pipeline;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.Model;
import ai.anycap.client.PriceTable;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.internal.AsyncPermits;
import ai.anycap.pipeline.internal.BatchRun;
import ai.anycap.pipeline.internal.JobPlan;
import ai.anycap.pipeline.internal.JobResolver;
import ai.anycap.pipeline.internal.Journal;
import ai.anycap.pipeline.internal.OutputPaths;
import ai.anycap.pipeline.internal.PipelineCore;
import ai.anycap.pipeline.internal.RequestDigest;
import ai.anycap.pipeline.internal.Spending;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generates a batch of images, from 5 to 100,000, reliably and within bounds.
 *
 * <pre>{@code
 * try (ImagePipeline pipeline = ImagePipeline.builder()
 *     .client(AnyCapClient.fromEnv())
 *     .templates(PromptTemplates.fromJson(Path.of("templates.json")))
 *     .concurrency(16)
 *     .outputRoot(Path.of("output"))
 *     .journal(Path.of("output/manifest.jsonl"))
 *     .budget(Budget.credits(10_000))
 *     .build()) {
 *   BatchReport report = pipeline.run(CsvJobSource.builder()
 *       .file(Path.of("products.csv")).template("product_hero").outputKey("{sku}.png").build());
 * }
 * }</pre>
 *
 * <p>What it guarantees:
 *
 * <ul>
 *   <li>The whole source is checked before the first paid request; a malformed entry fails the
 *       batch naming its file, line and field, and nothing is spent ({@link
 *       Builder#skipInvalidRows()} skips such entries instead).
 *   <li>Never more than {@link Builder#concurrency(int)} jobs in flight, with non-blocking I/O.
 *   <li>On a 429, every job waits out the {@code Retry-After}, and generate requests then go at a
 *       pace just under the rate the server accepted, learned as the batch runs ({@link
 *       Builder#adaptiveRate(boolean)}, {@link #pace()}).
 *   <li>Only retryable failures are retried (429, 5xx, transport), with exponential backoff,
 *       jitter and {@code Retry-After} honoured up to a cap; a failed download is retried as a
 *       download, never by generating again. 401, 402 and 403 stop the batch at once: the rest
 *       are reported as not started.
 *   <li>Files appear atomically under the output root, and nowhere else.
 *   <li>With a journal, a rerun skips the jobs that already succeeded.
 *   <li>Identical requests in a run are generated once and the image copied.
 *   <li>Spending stays within the {@link Budget}.
 * </ul>
 *
 * <p>Defaults: concurrency 4, {@link Retry#defaults()}, output root {@code output}, no journal,
 * unlimited budget, model {@code nano-banana-2}, published prices, job timeout 10 minutes,
 * attempt timeout 2 minutes. Thread-safe; one pipeline can run several batches, and they share its
 * concurrency limit and budget. {@link #close()} stops taking jobs and waits for running ones.
 */
public final class ImagePipeline implements AutoCloseable {

  private static final AtomicInteger RUNS = new AtomicInteger();

  private final PipelineCore core;
  private final ExecutorService ownedEvents;
  private final ScheduledExecutorService ownedScheduler;
  private final BatchRun adhoc;
  private final Set<BatchRun> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Reports not yet handed to their callers: close() waits for them before stopping the event thread. */
  private final Set<CompletableFuture<BatchReport>> reporting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ImagePipeline(Builder b) {
    ownedScheduler =
        b.scheduler == null
            ? Executors.newSingleThreadScheduledExecutor(daemon("anycap-pipeline-retry"))
            : null;
    ownedEvents = Executors.newSingleThreadExecutor(daemon("anycap-pipeline-events"));
    OutputPaths outputs = new OutputPaths(b.outputRoot);
    Journal journal = b.journal == null ? null : Journal.open(b.journal, outputs.root(), b.clock);
    core =
        new PipelineCore(
            b.client,
            new JobResolver(b.templates, b.defaultModel, b.defaultParams, outputs),
            new AsyncPermits(b.concurrency),
            new Spending(b.budget, b.prices),
            journal,
            b.retry,
            b.jobTimeout,
            b.attemptTimeout,
            b.scheduler != null ? b.scheduler : ownedScheduler,
            ownedEvents,
            b.listeners,
            b.clock,
            b.skipInvalidRows,
            b.deduplicate,
            b.sinks,
            b.sinkRetry,
            b.adaptive,
            b.ratePerSecond);
    adhoc = new BatchRun(core, false);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs a batch and waits for it.
   *
   * @throws BatchValidationException when the source has malformed entries (nothing was spent)
   */
  public BatchReport run(JobSource source) {
    CompletableFuture<BatchReport> f = runAsync(source);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the batch");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    }
  }

  /**
   * Runs a batch in the background. Cancelling the future stops the batch: no further job starts,
   * running jobs finish.
   */
  public CompletableFuture<BatchReport> runAsync(JobSource source) {
    Objects.requireNonNull(source, "source");
    if (core.closed()) {
      throw new IllegalStateException("pipeline is closed");
    }
    return start(new BatchRun(core, core.deduplicate), "dispatch", (run, result) -> dispatch(source, run, result));
  }

  /**
   * Starts a run on a thread of its own: the run is tracked until drained (so {@link #close()}
   * waits for it), and cancelling its future stops it.
   */
  private CompletableFuture<BatchReport> start(
      BatchRun run, String role, java.util.function.BiConsumer<BatchRun, CompletableFuture<BatchReport>> loop) {
    CompletableFuture<BatchReport> result = new CompletableFuture<>();
    running.add(run);
    run.drained().whenComplete((v, e) -> running.remove(run));
    reporting.add(result);
    result.whenComplete((r, e) -> reporting.remove(result));
    result.whenComplete(
        (r, e) -> {
          if (e instanceof CancellationException) {
            run.cancel();
          }
        });
    Thread thread = new Thread(() -> loop.accept(run, result), "anycap-pipeline-" + role + "-" + RUNS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  /** Completes {@code result} with the run's report once every job it started has ended. */
  private void finish(BatchRun run, CompletableFuture<BatchReport> result) {
    run.dispatcherDone()
        .whenComplete(
            (v, e) -> {
              BatchReport report = run.report();
              core.emit(null, l -> l.onBatchFinished(report));
              core.events.execute(() -> result.complete(report));
            });
  }

  private void dispatch(JobSource source, BatchRun run, CompletableFuture<BatchReport> result) {
    try {
      Validation validation = validate(source);
      if (validation.problemCount > 0 && (!core.skipInvalidRows || validation.unreadable)) {
        BatchValidationException refused =
            new BatchValidationException(source.description(), validation.problems, validation.problemCount);
        run.dispatcherDone().whenComplete((v, ignored) -> result.completeExceptionally(refused));
        return;
      }
      run.repeatedRequests(Set.copyOf(validation.repeated));
      validation.seen.clear();
      core.emit(null, l -> l.onBatchStarted(OptionalLong.of(validation.entries)));
      try (JobReader reader = source.open()) {
        long index = 0;
        while (!run.cancelled()) {
          Optional<ImageJob> next;
          try {
            next = reader.next();
          } catch (InvalidJobException e) {
            index++;
            run.record(new JobResult.Skipped(e.position().toString(), e.position(), SkipReason.INVALID, e.getMessage()));
            continue;
          }
          if (next.isEmpty()) {
            break;
          }
          index++;
          ImageJob job = next.get();
          String invalid = validation.invalid.get(index);
          JobPlan plan;
          try {
            if (invalid != null) {
              throw new InvalidJobException(reader.position(), null, invalid);
            }
            plan = core.resolver.resolve(job, reader.position());
          } catch (InvalidJobException e) {
            run.record(new JobResult.Skipped(job.id(), e.position(), SkipReason.INVALID, e.getMessage()));
            continue;
          }
          if (core.journal != null && core.journal.succeeded(job.id())) {
            run.record(new JobResult.Skipped(job.id(), plan.position(), SkipReason.ALREADY_DONE,
                "succeeded in an earlier run (" + core.journal.file().getFileName() + ")"));
            continue;
          }
          if (run.haltReason() != null) {
            run.record(run.notStarted(plan));
            continue;
          }
          Journal.Undelivered undelivered = core.journal == null ? null : core.journal.undelivered(job.id());
          if (undelivered != null && undelivered.outputsExist(core.resolver.outputs().root())) {
            String model = undelivered.model().isEmpty() ? plan.request().model() : undelivered.model();
            run.redeliver(plan, undelivered.paths(core.resolver.outputs().root()), model, undelivered.receipts());
            continue;
          }
          run.dispatch(plan, true);
        }
      }
      finish(run, result);
    } catch (RuntimeException | Error e) {
      run.cancel();
      run.dispatcherDone().whenComplete((v, ignored) -> result.completeExceptionally(e));
    }
  }

  /** The result of checking a whole source before spending anything. */
  private static final class Validation {
    long entries;
    long problemCount;
    boolean unreadable;
    /** Digests seen once (then dropped into {@link #repeated} when seen again). */
    final Set<RequestDigest> seen = new HashSet<>();
    final Set<RequestDigest> repeated = new HashSet<>();
    final List<InvalidJobException> problems = new ArrayList<>();
    /** Entry index (from 1) to problem, for the run pass. */
    final Map<Long, String> invalid = new HashMap<>();

    void add(long index, InvalidJobException e) {
      problemCount++;
      invalid.put(index, e.getMessage());
      if (problems.size() < BatchValidationException.MAX_PROBLEMS) {
        problems.add(e);
      }
    }
  }

  private Validation validate(JobSource source) {
    Validation v = new Validation();
    Map<String, JobPosition> ids = new HashMap<>();
    Map<Path, JobPosition> outputs = new HashMap<>();
    JobReader opened;
    try {
      opened = source.open();
    } catch (InvalidJobException e) {
      // The source cannot be read at all (no header, missing file): no entry can run.
      v.add(0, e);
      v.unreadable = true;
      return v;
    }
    try (JobReader reader = opened) {
      long index = 0;
      while (true) {
        Optional<ImageJob> next;
        try {
          next = reader.next();
        } catch (InvalidJobException e) {
          index++;
          v.add(index, e);
          continue;
        }
        if (next.isEmpty()) {
          break;
        }
        index++;
        ImageJob job = next.get();
        JobPosition position = reader.position();
        try {
          JobPlan plan = core.resolver.resolve(job, position);
          JobPosition firstId = ids.putIfAbsent(job.id(), position);
          if (firstId != null) {
            throw new InvalidJobException(position, "id", "duplicate job id '" + job.id() + "', first at " + firstId);
          }
          JobPosition firstOutput = outputs.putIfAbsent(plan.output(), position);
          if (firstOutput != null) {
            throw new InvalidJobException(position, "output key",
                "output key '" + job.outputKey() + "' is also the output of " + firstOutput);
          }
          if (core.deduplicate) {
            RequestDigest digest = RequestDigest.of(plan.request());
            if (!v.seen.add(digest)) {
              v.repeated.add(digest);
            }
          }
          if (!core.spending.canPrice(plan.request().model())) {
            throw new InvalidJobException(position, "model",
                "model '" + plan.request().model() + "' has no price in the price table, which a dollar budget needs");
          }
        } catch (InvalidJobException e) {
          v.add(index, e);
        }
      }
      v.entries = index;
    }
    return v;
  }

  /**
   * Works jobs from a queue until stopped: takes only as many as the concurrency limit has room
   * for, runs each as a batch job would run, and settles each with the queue once its result (and
   * its sinks) are recorded. Cancel the future, or close the pipeline, to stop: no further job is
   * taken, running ones finish and are settled, and the future completes with the worker's report
   * (when not cancelled). A 401, 402 or 403, or a spent budget, stops the worker too; jobs it had
   * not started are settled as skipped, and go back to the queue for other workers. With a {@link
   * Builder#journal(Path) journal}, each job that runs gets its journal line before it is settled;
   * a job the journal records as succeeded is settled as already done without running, and one
   * whose image the journal kept but could not deliver is delivered, not generated again.
   */
  public CompletableFuture<BatchReport> work(QueueConsumer consumer) {
    Objects.requireNonNull(consumer, "consumer");
    if (core.closed()) {
      throw new IllegalStateException("pipeline is closed");
    }
    return start(new BatchRun(core, false), "worker", (run, result) -> workLoop(consumer, run, result));
  }

  private void workLoop(QueueConsumer consumer, BatchRun run, CompletableFuture<BatchReport> result) {
    try {
      core.emit(null, l -> l.onBatchStarted(OptionalLong.empty()));
      while (!run.stopping()) {
        try {
          // Wait for room, so that nothing is taken from the queue that this worker cannot start.
          core.permits.acquire().join();
          core.permits.release();
        } catch (CompletionException | CancellationException e) {
          break;
        }
        int room = Math.max(1, core.permits.limit() - core.permits.inUse());
        for (QueuedJob queued : consumer.take(room, Duration.ofSeconds(1))) {
          startQueued(consumer, run, queued);
        }
      }
    } catch (RuntimeException | Error e) {
      run.cancel();
      run.dispatcherDone().whenComplete((v, ignored) -> result.completeExceptionally(e));
      return;
    }
    finish(run, result);
  }

  private void startQueued(QueueConsumer consumer, BatchRun run, QueuedJob queued) {
    ImageJob job = queued.job();
    JobPosition position = new JobPosition("queue " + queued.messageId(), 0);
    JobResult early = null;
    JobPlan plan = null;
    try {
      plan = core.resolver.resolve(job, position);
    } catch (InvalidJobException e) {
      early = new JobResult.Skipped(job.id(), position, SkipReason.INVALID, e.getMessage());
    }
    if (early == null && core.journal != null && core.journal.succeeded(job.id())) {
      early = new JobResult.Skipped(job.id(), position, SkipReason.ALREADY_DONE, "succeeded in an earlier run");
    }
    if (early == null && run.stopping()) {
      early = run.notStarted(plan);
    }
    if (early != null) {
      run.record(early);
      consumer.settle(queued, early);
      return;
    }
    // An image this worker made on an earlier delivery whose sinks failed: deliver it, as a
    // batch rerun would, rather than pay for it again.
    Journal.Undelivered undelivered = core.journal == null ? null : core.journal.undelivered(job.id());
    CompletableFuture<JobResult> running;
    if (undelivered != null && undelivered.outputsExist(core.resolver.outputs().root())) {
      String model = undelivered.model().isEmpty() ? plan.request().model() : undelivered.model();
      running = run.redeliver(plan, undelivered.paths(core.resolver.outputs().root()), model, undelivered.receipts());
    } else {
      running = run.dispatch(plan, true);
    }
    // Held by the run, so that work()'s future and close() also wait for the settle.
    run.hold(
        running
            .whenComplete(
                (r, e) -> {
                  if (r instanceof JobResult.Skipped s && s.reason() == SkipReason.BUDGET) {
                    run.halt("the budget is spent");
                  }
                  if (r != null) {
                    consumer.settle(queued, r);
                  }
                }));
  }

  /**
   * Runs one job, outside any batch, under the same concurrency limit, retries, budget and
   * journal. The future fails with {@link InvalidJobException} when the job is malformed.
   */
  public CompletableFuture<JobResult> submit(ImageJob job) {
    Objects.requireNonNull(job, "job");
    if (core.closed()) {
      return CompletableFuture.failedFuture(new IllegalStateException("pipeline is closed"));
    }
    JobPlan plan;
    try {
      plan = core.resolver.resolve(job, new JobPosition("submit", 0));
    } catch (InvalidJobException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (core.journal != null && core.journal.succeeded(job.id())) {
      JobResult r = new JobResult.Skipped(job.id(), plan.position(), SkipReason.ALREADY_DONE, "succeeded in an earlier run");
      adhoc.record(r);
      return CompletableFuture.completedFuture(r);
    }
    return adhoc.dispatch(plan, false);
  }

  /**
   * What running {@code source} would cost, without sending a request: jobs per model, credits
   * and dollars. Jobs the journal says are done are counted apart.
   */
  public BatchEstimate estimate(JobSource source) {
    Objects.requireNonNull(source, "source");
    long jobs = 0;
    long done = 0;
    long invalid = 0;
    Map<String, Long> byModel = new TreeMap<>();
    BigDecimal credits = BigDecimal.ZERO;
    BigDecimal usd = BigDecimal.ZERO;
    Set<String> unpriced = new java.util.TreeSet<>();
    try (JobReader reader = source.open()) {
      while (true) {
        Optional<ImageJob> next;
        try {
          next = reader.next();
        } catch (InvalidJobException e) {
          invalid++;
          continue;
        }
        if (next.isEmpty()) {
          break;
        }
        JobPlan plan;
        try {
          plan = core.resolver.resolve(next.get(), reader.position());
        } catch (InvalidJobException e) {
          invalid++;
          continue;
        }
        if (core.journal != null && core.journal.succeeded(next.get().id())) {
          done++;
          continue;
        }
        jobs++;
        String model = plan.request().model();
        byModel.merge(model, 1L, Long::sum);
        credits = credits.add(BigDecimal.ONE);
        BigDecimal price = core.spending.usd(model, 1);
        if (price.signum() == 0) {
          unpriced.add(model);
        }
        usd = usd.add(price);
      }
    }
    return new BatchEstimate(jobs, done, invalid, byModel, credits, usd, new ArrayList<>(unpriced));
  }

  /** The most jobs allowed in flight at once, as configured. */
  public int concurrency() {
    return core.permits.limit();
  }

  /**
   * The pace of generate requests now: the rate adaptive control has learned from 429s (or the
   * fixed {@link Builder#rateLimit(double) rate limit}) and any running {@code Retry-After} pause.
   */
  public RequestPace pace() {
    return core.pacer.pace();
  }

  /** The most jobs that have been in flight at once over the pipeline's life. */
  public int peakConcurrency() {
    return core.permits.peak();
  }

  /**
   * Stops taking jobs, waits for running ones to end, and releases the pipeline's threads and
   * journal. Batches still running end as cancelled.
   */
  @Override
  public void close() {
    if (core.closed()) {
      return;
    }
    core.markClosed();
    core.permits.cancelWaiters(new CancellationException("pipeline closed"));
    for (BatchRun run : List.copyOf(running)) {
      run.drained().join();
    }
    adhoc.dispatcherDone().join();
    // A run's report reaches its caller through the event thread, a moment after the run drains.
    for (CompletableFuture<BatchReport> report : List.copyOf(reporting)) {
      report.handle((r, e) -> null).join();
    }
    ownedEvents.shutdown();
    try {
      ownedEvents.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (core.journal != null) {
      core.journal.close();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures an {@link ImagePipeline}; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private AnyCapClient client;
    private PromptTemplates templates = PromptTemplates.of();
    private int concurrency = 4;
    private Retry retry = Retry.defaults();
    private Path outputRoot = Path.of("output");
    private Path journal;
    private Budget budget = Budget.unlimited();
    private PriceTable prices = PriceTable.defaults();
    private String defaultModel = Model.NANO_BANANA_2.id();
    private final Map<String, Object> defaultParams = new LinkedHashMap<>();
    private final List<PipelineListener> listeners = new ArrayList<>();
    private Duration jobTimeout = Duration.ofMinutes(10);
    private Duration attemptTimeout = Duration.ofMinutes(2);
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private boolean skipInvalidRows;
    private boolean deduplicate = true;
    private final List<ImageSink> sinks = new ArrayList<>();
    private Retry sinkRetry = Retry.defaults();
    private boolean adaptive = true;
    private double ratePerSecond;

    private Builder() {}

    /** The AnyCap client to send requests with. Required. */
    public Builder client(AnyCapClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The prompt templates jobs name. */
    public Builder templates(PromptTemplates templates) {
      this.templates = Objects.requireNonNull(templates, "templates");
      return this;
    }

    /** At most this many jobs in flight at once; default 4. */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    public Builder retry(Retry retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** The directory output keys are relative to; default {@code output}. */
    public Builder outputRoot(Path outputRoot) {
      this.outputRoot = Objects.requireNonNull(outputRoot, "outputRoot");
      return this;
    }

    /** The JSON Lines journal of finished jobs; a rerun skips what it records as succeeded. */
    public Builder journal(Path journal) {
      this.journal = Objects.requireNonNull(journal, "journal");
      return this;
    }

    public Builder budget(Budget budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /** Prices for dollar budgets and cost estimates; default {@link PriceTable#defaults()}. */
    public Builder prices(PriceTable prices) {
      this.prices = Objects.requireNonNull(prices, "prices");
      return this;
    }

    /** The model for jobs and templates that name none; default {@code nano-banana-2}. */
    public Builder defaultModel(String model) {
      this.defaultModel = Objects.requireNonNull(model, "model");
      return this;
    }

    public Builder defaultModel(Model model) {
      return defaultModel(Objects.requireNonNull(model, "model").id());
    }

    /** A model parameter for every job, over template defaults and under the job's own. */
    public Builder defaultParam(String name, Object value) {
      defaultParams.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
      return this;
    }

    /**
     * Delivers each finished image to this sink (after the sinks added before it). A chain from
     * {@link Sinks#chain(ImageSink...)} counts as its members.
     */
    public Builder sink(ImageSink sink) {
      sinks.addAll(Sinks.flatten(Objects.requireNonNull(sink, "sink")));
      Set<String> names = new HashSet<>();
      for (ImageSink s : sinks) {
        if (!names.add(s.name())) {
          throw new IllegalArgumentException(
              "two sinks are named '" + s.name() + "'; the journal tells them apart by name, so give them distinct names");
        }
      }
      return this;
    }

    /**
     * Whether the pipeline finds the server's rate limit by itself (default true). On a 429 it
     * holds every job's requests for the {@code Retry-After} (not only the job that got it), then
     * sends at a pace a little below the rate the server accepted, and raises the pace slowly
     * while no 429 comes (AIMD on the rate of requests); the number in flight never exceeds
     * {@link #concurrency(int)}. Off, only the job that got the 429 waits, and the others go on at
     * full concurrency. See {@link RequestPace} and {@link PipelineListener#onPaceChanged}.
     */
    public Builder adaptiveRate(boolean adaptive) {
      this.adaptive = adaptive;
      return this;
    }

    /**
     * Sends at most this many generate requests a second, evenly spaced, for users who know their
     * quota; adaptive control may go slower, never faster. Default: no fixed rate.
     */
    public Builder rateLimit(double requestsPerSecond) {
      if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
        throw new IllegalArgumentException("rateLimit must be a positive number, got " + requestsPerSecond);
      }
      this.ratePerSecond = requestsPerSecond;
      return this;
    }

    /** How a failed delivery is retried, per sink; default {@link Retry#defaults()}. */
    public Builder sinkRetry(Retry retry) {
      this.sinkRetry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    public Builder listener(PipelineListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** The longest a job may take, retries included; default 10 minutes. */
    public Builder jobTimeout(Duration timeout) {
      this.jobTimeout = positive(timeout, "jobTimeout");
      return this;
    }

    /** The longest one request may take; default 2 minutes. */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = positive(timeout, "attemptTimeout");
      return this;
    }

    /** The executor that waits out retry delays; the pipeline makes its own by default. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The clock for journal timestamps. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Skip malformed entries (reported as skipped, with the reason) instead of refusing the batch. */
    public Builder skipInvalidRows() {
      this.skipInvalidRows = true;
      return this;
    }

    /** Whether identical requests in a run are generated once; default true. */
    public Builder deduplicate(boolean deduplicate) {
      this.deduplicate = deduplicate;
      return this;
    }

    /**
     * @throws IllegalStateException when no client is set
     * @throws JournalException when the journal cannot be read
     */
    public ImagePipeline build() {
      if (client == null) {
        throw new IllegalStateException("ImagePipeline needs a client: call client(AnyCapClient.fromEnv())");
      }
      return new ImagePipeline(copy());
    }

    private Builder copy() {
      Builder b = new Builder();
      b.client = client;
      b.templates = templates;
      b.concurrency = concurrency;
      b.retry = retry;
      b.outputRoot = outputRoot;
      b.journal = journal;
      b.budget = budget;
      b.prices = prices;
      b.defaultModel = defaultModel;
      b.defaultParams.putAll(defaultParams);
      b.listeners.addAll(listeners);
      b.jobTimeout = jobTimeout;
      b.attemptTimeout = attemptTimeout;
      b.scheduler = scheduler;
      b.clock = clock;
      b.skipInvalidRows = skipInvalidRows;
      b.deduplicate = deduplicate;
      b.sinks.addAll(sinks);
      b.sinkRetry = sinkRetry;
      b.adaptive = adaptive;
      b.ratePerSecond = ratePerSecond;
      return b;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}

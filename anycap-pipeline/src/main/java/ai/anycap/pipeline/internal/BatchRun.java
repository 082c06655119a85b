package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapException;
import ai.anycap.client.AnyCapIoException;
import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.DownloadException;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.InsufficientCreditException;
import ai.anycap.client.PermissionDeniedException;
import ai.anycap.client.RequestOptions;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SkipReason;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One run of a pipeline: starts jobs under the shared permits and budget, retries their requests,
 * writes their files, records their results, and tallies the report. Thread-safe: jobs complete on
 * HTTP threads while the dispatcher starts new ones.
 */
public final class BatchRun {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.pipeline");

  private final PipelineCore core;
  private final long startNanos = System.nanoTime();
  private final Map<RequestDigest, CompletableFuture<Outcome>> primaries = new ConcurrentHashMap<>();
  private final AtomicLong outstanding = new AtomicLong(1);
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private final AtomicLong retries = new AtomicLong();
  private volatile String haltReason;
  private volatile boolean cancelled;

  private long succeeded;
  private long failed;
  private final EnumMap<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
  private long imagesGenerated;
  private BigDecimal credits = BigDecimal.ZERO;
  private BigDecimal usd = BigDecimal.ZERO;
  private final List<JobResult.Failed> failures = new ArrayList<>();

  /** What a first-of-its-kind job left for the identical jobs that wait on it. */
  private record Outcome(String jobId, Path output, JobResult result) {}

  private final SinkDelivery delivery;
  private final boolean deduplicate;
  /** The request digests that occur more than once in the source; null: treat all as possible. */
  private volatile java.util.Set<RequestDigest> repeated;

  /**
   * @param deduplicate whether identical requests share one generation; off for queue workers,
   *     whose runs have no end by which to forget what they saw
   */
  public BatchRun(PipelineCore core, boolean deduplicate) {
    this.core = core;
    this.delivery = new SinkDelivery(core);
    this.deduplicate = deduplicate;
  }

  /**
   * Limits de-duplication to these digests, found by the validation pass, so that a batch of
   * distinct requests keeps nothing per job in memory.
   */
  public void repeatedRequests(java.util.Set<RequestDigest> digests) {
    this.repeated = digests;
  }

  public boolean stopping() {
    return haltReason != null || cancelled || core.closed();
  }

  public void cancel() {
    cancelled = true;
  }

  public boolean cancelled() {
    return cancelled || core.closed();
  }

  public String haltReason() {
    return haltReason;
  }

  /** Why a job that was not started was skipped, given the run's state. */
  public JobResult.Skipped notStarted(JobPlan plan) {
    if (haltReason != null) {
      return new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.HALTED,
          "not started: the batch stopped because " + haltReason);
    }
    return new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.CANCELLED,
        "not started: the run was cancelled");
  }

  /**
   * Starts a job once a permit is free. With {@code waitForPermit} the calling thread (the batch
   * dispatcher) blocks until then, so that reading the source never runs ahead of the
   * concurrency limit. A job identical to one already dispatched takes no permit: it waits for
   * that one and copies its image.
   */
  public CompletableFuture<JobResult> dispatch(JobPlan plan, boolean waitForPermit) {
    outstanding.incrementAndGet();
    CompletableFuture<Outcome> promise = null;
    RequestDigest digest = deduplicate ? RequestDigest.of(plan.request()) : null;
    java.util.Set<RequestDigest> candidates = repeated;
    if (digest != null && (candidates == null || candidates.contains(digest))) {
      CompletableFuture<Outcome> fresh = new CompletableFuture<>();
      CompletableFuture<Outcome> first = primaries.putIfAbsent(digest, fresh);
      if (first != null) {
        return first.thenCompose(outcome -> copyOf(plan, outcome)).whenComplete((r, e) -> finished(r, e, plan));
      }
      promise = fresh;
    }
    CompletableFuture<Void> permit = core.permits.acquire();
    if (waitForPermit) {
      try {
        permit.join();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        permit = CompletableFuture.failedFuture(unwrap(e));
      }
    }
    CompletableFuture<Outcome> mine = promise;
    return permit
        .handle((v, e) -> e)
        .thenCompose(
            refused ->
                refused == null
                    ? startWithPermit(plan)
                    : CompletableFuture.<JobResult>completedFuture(notStarted(plan)))
        .whenComplete(
            (r, e) -> {
              if (mine != null) {
                mine.complete(
                    new Outcome(plan.job().id(), plan.output(),
                        r != null ? r : failedResult(plan, e, 0, BigDecimal.ZERO, Duration.ZERO)));
              }
              finished(r, e, plan);
            });
  }

  private CompletableFuture<JobResult> startWithPermit(JobPlan plan) {
    if (stopping()) {
      core.permits.release();
      return CompletableFuture.completedFuture(notStarted(plan));
    }
    String model = plan.request().model();
    BigDecimal reservation = core.spending.tryReserve(model);
    if (reservation == null) {
      core.permits.release();
      return CompletableFuture.completedFuture(
          new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.BUDGET,
              "not started: " + core.spending.describeLimit()));
    }
    core.emit(plan.job().id(), l -> l.onJobStarted(plan.job()));
    JobExecution execution = new JobExecution(plan);
    return execution
        .run()
        .whenComplete(
            (r, e) -> {
              core.permits.release();
              core.spending.settle(reservation, execution.model, execution.credits, execution.images);
            });
  }

  /** Records a finished job: counters, journal, listeners. */
  private void finished(JobResult result, Throwable error, JobPlan plan) {
    if (result == null) {
      result = failedResult(plan, error, 0, BigDecimal.ZERO, Duration.ZERO);
    }
    record(result);
    if (outstanding.decrementAndGet() == 0) {
      drained.complete(null);
    }
  }

  /** Counts a result and tells the journal and the listeners. */
  public void record(JobResult result) {
    if (result instanceof JobResult.Succeeded || result instanceof JobResult.Failed) {
      if (core.journal != null) {
        core.journal.record(result);
      }
    }
    synchronized (this) {
      if (result instanceof JobResult.Succeeded) {
        succeeded++;
      } else if (result instanceof JobResult.Failed f) {
        failed++;
        if (failures.size() < BatchReport.MAX_LISTED_FAILURES) {
          failures.add(f);
        }
      } else if (result instanceof JobResult.Skipped s) {
        skipped.merge(s.reason(), 1L, Long::sum);
      }
    }
    if (log.isDebugEnabled() || result instanceof JobResult.Failed) {
      MDC.put("anycap.job", result.jobId());
      try {
        if (result instanceof JobResult.Failed f) {
          log.warn("job {} failed after {} attempt(s) [{}]: {}", f.jobId(), f.attempts(), f.errorCode(), f.message());
        } else {
          log.debug("job {} {}", result.jobId(), result.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
      } finally {
        MDC.remove("anycap.job");
      }
    }
    JobResult r = result;
    core.emit(result.jobId(), l -> l.onJobFinished(r));
  }

  /**
   * Keeps the run from draining until {@code work} completes: for what follows a job's result,
   * such as settling it with a queue. Call it from the dispatcher, before {@link #dispatcherDone()}.
   */
  public void hold(CompletableFuture<?> work) {
    outstanding.incrementAndGet();
    work.whenComplete(
        (v, e) -> {
          if (outstanding.decrementAndGet() == 0) {
            drained.complete(null);
          }
        });
  }

  /** Called by the dispatcher when it has started everything; completes when all jobs ended. */
  public CompletableFuture<Void> dispatcherDone() {
    if (outstanding.decrementAndGet() == 0) {
      drained.complete(null);
    }
    return drained;
  }

  /** Completes when the dispatcher is done and every job it started has ended. */
  public CompletableFuture<Void> drained() {
    return drained;
  }

  public synchronized BatchReport report() {
    return new BatchReport(
        succeeded, failed, skipped, imagesGenerated, retries.get(), credits, usd,
        Duration.ofNanos(System.nanoTime() - startNanos), failures, haltReason, cancelled());
  }

  private synchronized void spent(String model, BigDecimal credits, long images) {
    this.credits = this.credits.add(credits);
    this.imagesGenerated += images;
    this.usd = this.usd.add(core.spending.usd(model, images));
  }

  /** Stops the run: no job starts after this; the reason goes into the report. */
  public void halt(String reason) {
    if (haltReason == null) {
      synchronized (this) {
        if (haltReason == null) {
          haltReason = reason;
          log.error("stopping the batch: {}", reason);
        }
      }
    }
  }

  // ----- one job -----

  /** The requests of one job: generate (retried), then download each output (retried as downloads). */
  private final class JobExecution {
    final JobPlan plan;
    final long started = System.nanoTime();
    final long deadline;
    final AtomicInteger attempts = new AtomicInteger();
    volatile String model;
    volatile BigDecimal credits = BigDecimal.ZERO;
    volatile long images;
    volatile String requestId;

    JobExecution(JobPlan plan) {
      this.plan = plan;
      this.model = plan.request().model();
      this.deadline = started + core.jobTimeout.toNanos();
    }

    CompletableFuture<JobResult> run() {
      CompletableFuture<ImageGeneration> generated;
      try {
        // Refuse a bad output path before paying for an image that could not be written.
        core.resolver.outputs().checkOnDisk(plan.output());
        generated = generate();
      } catch (IOException e) {
        generated = CompletableFuture.failedFuture(new UncheckedIOException(e));
      } catch (IllegalArgumentException e) {
        generated = CompletableFuture.failedFuture(new OutputRefusedException(e.getMessage()));
      }
      return generated
          .thenCompose(this::downloadAll)
          .thenCompose(
              paths ->
                  delivery
                      .deliver(plan.job(), paths.get(0), model, Map.of())
                      .thenApply(
                          d ->
                              delivered(plan, paths, model, credits, attempts.get(),
                                  Duration.ofNanos(System.nanoTime() - started), requestId, null, d)))
          .exceptionally(
              error -> {
                Throwable cause = unwrap(error);
                haltIfFatal(cause);
                return failedResult(plan, cause, attempts.get(), credits, Duration.ofNanos(System.nanoTime() - started));
              });
    }

    private CompletableFuture<ImageGeneration> generate() {
      RetryPolicy<ImageGeneration> policy = policy("generate");
      return Failsafe.with(policy)
          .with(core.scheduler)
          .getStageAsync(
              () ->
                  core.pacer
                      .beforeRequest()
                      .thenCompose(
                          ticket -> {
                            attempts.incrementAndGet();
                            CompletableFuture<ImageGeneration> sent;
                            try {
                              sent = core.client.images().generateAsync(plan.request(), options());
                            } catch (RuntimeException e) {
                              sent = CompletableFuture.failedFuture(e);
                            }
                            return sent.whenComplete((g, e) -> core.pacer.afterRequest(ticket, e == null ? null : unwrap(e)));
                          }))
          .thenApply(
              g -> {
                model = g.model();
                requestId = g.requestId().orElse(null);
                credits = g.creditCost();
                images = g.outputs().size();
                spent(g.model(), g.creditCost(), g.outputs().size());
                if (g.outputs().isEmpty()) {
                  throw new EmptyResultException("the server returned no image (request_id=" + requestId + ")");
                }
                return g;
              });
    }

    private CompletableFuture<List<Path>> downloadAll(ImageGeneration g) {
      List<Path> targets = new ArrayList<>();
      for (int i = 0; i < g.outputs().size(); i++) {
        targets.add(i == 0 ? plan.output() : OutputPaths.numbered(plan.output(), i + 1));
      }
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int i = 0; i < targets.size(); i++) {
        URI url = g.outputs().get(i);
        Path target = targets.get(i);
        chain = chain.thenCompose(v -> download(url, target));
      }
      return chain.thenApply(v -> targets);
    }

    private CompletableFuture<Void> download(URI url, Path target) {
      try {
        core.resolver.outputs().checkOnDisk(target);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(new UncheckedIOException(e));
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(new OutputRefusedException(e.getMessage()));
      }
      RetryPolicy<Path> policy = policy("download");
      return Failsafe.with(policy)
          .with(core.scheduler)
          .getStageAsync(
              () -> core.client.images().downloadAsync(url, target, options()))
          .thenApply(p -> null);
    }

    private RequestOptions options() {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw new JobTimeoutException("job timed out after " + core.jobTimeout);
      }
      Duration timeout = Duration.ofNanos(Math.min(remaining, core.attemptTimeout.toNanos()));
      return RequestOptions.builder().timeout(timeout).build();
    }

    private <T> RetryPolicy<T> policy(String what) {
      return RetryPolicy.<T>builder()
          .handleIf((T result, Throwable failure) -> failure != null && retryable(failure))
          .abortIf((T result, Throwable failure) -> stopping() || System.nanoTime() >= deadline)
          .withMaxAttempts(core.retry.maxAttempts())
          .withDelayFn(
              ctx ->
                  core.retry.delayBefore(
                      ctx.getAttemptCount(),
                      retryAfter(ctx.getLastException()),
                      ThreadLocalRandom.current().nextDouble()))
          .onRetryScheduled(
              e -> {
                retries.incrementAndGet();
                Throwable cause = unwrap(e.getLastException());
                if (log.isDebugEnabled()) {
                  MDC.put("anycap.job", plan.job().id());
                  log.debug("{} of job {} failed (attempt {}), retrying in {} ms: {}",
                      what, plan.job().id(), e.getAttemptCount(), e.getDelay().toMillis(), cause.toString());
                  MDC.remove("anycap.job");
                }
                core.emit(plan.job().id(),
                    l -> l.onRetryScheduled(plan.job(), e.getAttemptCount(), e.getDelay(), cause));
              })
          .build();
    }
  }

  // ----- duplicates -----

  private CompletableFuture<JobResult> copyOf(JobPlan plan, Outcome first) {
    long t0 = System.nanoTime();
    JobResult primary = first.result();
    if (primary instanceof JobResult.Succeeded s) {
      try {
        core.resolver.outputs().checkOnDisk(plan.output());
        copyAtomically(first.output(), plan.output());
      } catch (IOException | IllegalArgumentException e) {
        return CompletableFuture.completedFuture(new JobResult.Failed(plan.job(), "OUTPUT_FAILED",
            "cannot copy the image of identical job " + first.jobId() + ": " + e.getMessage(),
            BigDecimal.ZERO, 0, Duration.ofNanos(System.nanoTime() - t0), List.of(), List.of()));
      }
      return delivery
          .deliver(plan.job(), plan.output(), s.model(), Map.of())
          .thenApply(d -> delivered(plan, List.of(plan.output()), s.model(), BigDecimal.ZERO, 0,
              Duration.ofNanos(System.nanoTime() - t0), s.requestId(), first.jobId(), d));
    }
    if (primary instanceof JobResult.Failed f && f.outputs().isEmpty()) {
      return CompletableFuture.completedFuture(new JobResult.Failed(plan.job(), f.errorCode(),
          "identical to job " + first.jobId() + ", which failed: " + f.message(), BigDecimal.ZERO, 0, Duration.ZERO,
          List.of(), List.of()));
    }
    if (primary instanceof JobResult.Failed f) {
      // The image exists; only the first job's delivery failed. Copy it and deliver this one.
      return copyOf(plan, new Outcome(first.jobId(), first.output(),
          new JobResult.Succeeded(f.job(), f.outputs(), "", BigDecimal.ZERO, 0, Duration.ZERO, null, null, List.of())));
    }
    JobResult.Skipped k = (JobResult.Skipped) primary;
    return CompletableFuture.completedFuture(new JobResult.Skipped(plan.job().id(), plan.position(), k.reason(),
        "identical to job " + first.jobId() + ", which was skipped: " + k.message()));
  }

  /** The result of a job whose image is on disk, given how its delivery went. */
  private static JobResult delivered(
      JobPlan plan, List<Path> outputs, String model, BigDecimal credits, int attempts, Duration took,
      String requestId, String duplicateOf, SinkDelivery.Delivered d) {
    if (d.failure() == null) {
      return new JobResult.Succeeded(plan.job(), outputs, model, credits, attempts, took, requestId, duplicateOf,
          d.receipts());
    }
    Throwable cause = d.failure();
    String sink = cause instanceof ai.anycap.pipeline.SinkException se ? se.sink() : "sink";
    return new JobResult.Failed(plan.job(), "SINK_FAILED",
        "the image is kept, but delivery to " + sink + " failed: " + cause.getMessage(),
        credits, attempts, took, outputs, d.receipts());
  }

  /**
   * Delivers an image made in an earlier run to the sinks that have not had it yet: no request to
   * AnyCap, nothing spent.
   */
  public CompletableFuture<JobResult> redeliver(
      JobPlan plan, List<Path> outputs, String model, Map<String, ai.anycap.pipeline.SinkReceipt> done) {
    outstanding.incrementAndGet();
    long t0 = System.nanoTime();
    return core.permits.acquire()
        .thenCompose(v -> delivery.deliver(plan.job(), outputs.get(0), model, done))
        .thenApply(d -> delivered(plan, outputs, model, BigDecimal.ZERO, 0, Duration.ofNanos(System.nanoTime() - t0),
            null, null, d))
        .whenComplete((r, e) -> {
          core.permits.release();
          finished(r, e, plan);
        });
  }

  private static void copyAtomically(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Path temp = Files.createTempFile(to.getParent(), "." + to.getFileName() + ".", ".part");
    try {
      Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, to, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  // ----- failures -----

  private void haltIfFatal(Throwable cause) {
    if (cause instanceof AuthenticationException) {
      halt("the API key was refused (401): " + cause.getMessage());
    } else if (cause instanceof PermissionDeniedException) {
      halt("the API key has no access (403): " + cause.getMessage());
    } else if (cause instanceof InsufficientCreditException) {
      halt("the account is out of credit (402): " + cause.getMessage());
    }
  }

  private static JobResult.Failed failedResult(
      JobPlan plan, Throwable error, int attempts, BigDecimal credits, Duration took) {
    Throwable cause = unwrap(error);
    return new JobResult.Failed(plan.job(), errorCode(cause), String.valueOf(cause.getMessage()), credits, attempts, took,
        List.of(), List.of());
  }

  static String errorCode(Throwable e) {
    if (e instanceof AnyCapServiceException s) {
      return s.errorCode().orElse("HTTP_" + s.statusCode());
    }
    if (e instanceof AnyCapIoException) {
      return "TRANSPORT";
    }
    if (e instanceof DownloadException d) {
      return "DOWNLOAD_" + d.reason();
    }
    if (e instanceof JobTimeoutException) {
      return "JOB_TIMEOUT";
    }
    if (e instanceof EmptyResultException) {
      return "EMPTY_RESULT";
    }
    if (e instanceof OutputRefusedException || e instanceof IOException || e instanceof UncheckedIOException) {
      return "OUTPUT_FAILED";
    }
    return "INTERNAL";
  }

  private static boolean retryable(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof AnyCapException a && a.retryable();
  }

  private static Duration retryAfter(Throwable failure) {
    Throwable cause = failure == null ? null : unwrap(failure);
    return cause instanceof AnyCapServiceException s ? s.retryAfter().orElse(null) : null;
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The job ran out of its time. */
  static final class JobTimeoutException extends AnyCapException {
    JobTimeoutException(String message) {
      super(message);
    }
  }

  /** The server answered success with no image. */
  static final class EmptyResultException extends AnyCapException {
    EmptyResultException(String message) {
      super(message);
    }
  }

  /** The output path was refused just before writing (a link out of the root, a directory). */
  static final class OutputRefusedException extends AnyCapException {
    OutputRefusedException(String message) {
      super(message);
    }
  }
}

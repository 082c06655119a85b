package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageGeneration;
import ai.anycap.client.UploadException;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SkipReason;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One run of a pipeline (a batch, a queue worker, or the single jobs of {@code submit}): admits
 * each job by the {@link Admission} rule, starts it under the pipeline's shared permits and budget,
 * records how it ended (tally, journal, listeners), and knows when the run is stopping (cancelled,
 * halted by a 401, 402 or 403, or the pipeline closed) and when its last job has ended.
 * Thread-safe: jobs end on HTTP threads while the dispatcher starts new ones.
 */
final class Run {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.pipeline");

  private final PipelineCore core;
  private final RunTally tally = new RunTally();
  private final Deduplication deduplication;
  /** Jobs started and not ended, plus one for the dispatcher until it is done. */
  private final AtomicLong outstanding = new AtomicLong(1);
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private final CompletableFuture<Void> reported = new CompletableFuture<>();
  private volatile String haltReason;
  private volatile boolean cancelled;

  /** @param deduplicate whether identical requests in this run share one generation */
  Run(PipelineCore core, boolean deduplicate) {
    this.core = core;
    this.deduplication = new Deduplication(core, deduplicate);
  }

  /** See {@link Deduplication#limitTo}. */
  void limitDeduplicationTo(Set<RequestDigest> repeatedRequests) {
    deduplication.limitTo(repeatedRequests);
  }

  /**
   * Takes a resolved job through the admission rule: skipped as done, skipped as not started when
   * the run is stopping, delivered from what an earlier run kept, downloaded from what an earlier
   * run was answered, or executed. With {@code waitForPermit} the calling thread (a dispatcher)
   * blocks until the job holds a permit, so that reading a source never runs ahead of the
   * concurrency limit.
   *
   * @return the job's result; the run has recorded it by the time the future completes
   */
  CompletableFuture<JobResult> admit(JobPlan plan, boolean waitForPermit) {
    return admit(plan, waitForPermit, null, images -> {});
  }

  /**
   * As {@link #admit(JobPlan, boolean)}, for a job a queue delivered.
   *
   * @param carried images a dead worker was answered for this job, as the queue kept them, or null
   * @param onGenerated told of each generate answer before its images are downloaded
   */
  CompletableFuture<JobResult> admit(
      JobPlan plan, boolean waitForPermit, GeneratedImages carried, Consumer<GeneratedImages> onGenerated) {
    Journal journal = core.journal();
    long fingerprint;
    try {
      fingerprint = journal.fingerprint(plan);
    } catch (UploadException e) {
      // A reference file went missing (or unreadable) since the batch was checked: nothing is sent.
      return recorded(new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.INVALID, e.getMessage()));
    }
    Admission admission = Admission.of(journal, plan, fingerprint, core.resolver().outputs().root(), carried);
    if (admission instanceof Admission.AlreadyDone done) {
      return recorded(new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.ALREADY_DONE, done.why()));
    }
    if (stopping()) {
      return recorded(notStarted(plan));
    }
    if (admission instanceof Admission.Deliver kept) {
      return deliver(plan, fingerprint, kept);
    }
    JobExecution execution = new JobExecution(core, this, plan, fingerprint, onGenerated);
    if (admission instanceof Admission.Resume resume) {
      return withPermit(plan, fingerprint, waitForPermit, execution, permit -> execution.resume(resume.answer()));
    }
    tally.redone((Admission.Execute) admission);
    Deduplication.Claim claim = deduplication.claim(plan);
    if (claim.follows()) {
      // Identical to a job already under way: no permit, no budget, a copy of its image.
      outstanding.incrementAndGet();
      return deduplication.follow(plan, claim)
          .thenApply(r -> journaled(fingerprint, r, 0))
          .whenComplete((r, e) -> ended(plan, r, e));
    }
    return withPermit(plan, fingerprint, waitForPermit, execution, execution::run)
        .whenComplete((r, e) -> claim.settle(plan, r != null ? r : Failures.failed(plan, e, 0, BigDecimal.ZERO, Duration.ZERO)));
  }

  /** Records a result decided without running the job, and returns it. */
  CompletableFuture<JobResult> recorded(JobResult result) {
    record(result);
    return CompletableFuture.completedFuture(result);
  }

  /**
   * Runs {@code work} once the job holds a call permit (or records it as not started); the work may
   * hand it over to a delivery permit, and whichever it holds is given back when it ends.
   */
  private CompletableFuture<JobResult> withPermit(
      JobPlan plan, long fingerprint, boolean waitForPermit, JobExecution execution,
      Function<JobPermit, CompletableFuture<JobResult>> work) {
    outstanding.incrementAndGet();
    CompletableFuture<Void> permit = core.permits().acquire();
    if (waitForPermit) {
      try {
        permit.join();
      } catch (CompletionException | CancellationException e) {
        permit = CompletableFuture.failedFuture(Failures.unwrap(e));
      }
    }
    return permit
        .handle((v, refused) -> refused)
        .thenCompose(refused -> {
          if (refused != null) {
            return CompletableFuture.completedFuture(notStarted(plan));
          }
          if (stopping()) {
            core.permits().release();
            return CompletableFuture.completedFuture(notStarted(plan));
          }
          JobPermit held = core.jobPermit();
          return work.apply(held)
              .thenApply(r -> journaled(fingerprint, r, execution.possiblyBilled()))
              .whenComplete((r, e) -> held.release());
        })
        .whenComplete((r, e) -> ended(plan, r, e));
  }

  /**
   * Delivers an image an earlier run made to the sinks that have not had it yet: no request to
   * AnyCap, nothing spent.
   */
  private CompletableFuture<JobResult> deliver(JobPlan plan, long fingerprint, Admission.Deliver kept) {
    outstanding.incrementAndGet();
    long t0 = System.nanoTime();
    return core.permits().acquire()
        .thenCompose(v -> core.delivery().deliver(plan.job(), kept.outputs().get(0), kept.model(), kept.receipts()))
        .thenApply(d -> d.result(plan, kept.outputs(), kept.model(), BigDecimal.ZERO, 0,
            Duration.ofNanos(System.nanoTime() - t0), null, null))
        .thenApply(r -> journaled(fingerprint, r, 0))
        .whenComplete((r, e) -> {
          core.permits().release();
          ended(plan, r, e);
        });
  }

  /**
   * Writes the result of a job that ran to the journal. A journal that cannot be written stops the
   * run (every later job would be paid for and forgotten), but the result stands.
   */
  private JobResult journaled(long fingerprint, JobResult result, int possiblyBilled) {
    if (result instanceof JobResult.Succeeded || result instanceof JobResult.Failed) {
      try {
        core.journal().record(fingerprint, result, possiblyBilled);
      } catch (RuntimeException e) {
        String reason = Failures.haltReason(e);
        halt(reason != null ? reason : "the journal cannot be written: " + e.getMessage());
      }
    }
    return result;
  }

  private void ended(JobPlan plan, JobResult result, Throwable error) {
    record(result != null ? result : Failures.failed(plan, error, 0, BigDecimal.ZERO, Duration.ZERO));
    if (outstanding.decrementAndGet() == 0) {
      drained.complete(null);
    }
  }

  /** Counts a result and tells the listeners. */
  void record(JobResult result) {
    tally.count(result);
    if (log.isDebugEnabled() || result instanceof JobResult.Failed) {
      MDC.put("anycap.job", result.jobId());
      try {
        if (result instanceof JobResult.Failed f) {
          log.warn("job {} failed after {} attempt(s) [{}]: {}", f.jobId(), f.attempts(), f.errorCode(), f.message());
        } else {
          log.debug("job {} {}", result.jobId(), result.getClass().getSimpleName().toLowerCase(Locale.ROOT));
        }
      } finally {
        MDC.remove("anycap.job");
      }
    }
    core.emit(result.jobId(), l -> l.onJobFinished(result));
  }

  /** Counts what a generation cost, as soon as the server answered, and tells the listeners. */
  void spent(JobPlan plan, ImageGeneration g, Duration latency) {
    BigDecimal usd = core.spending().usd(plan.call(), g.outputs().size());
    tally.spent(g.creditCost(), usd, g.outputs().size());
    GeneratedImages answer = new GeneratedImages(g.outputs(), g.model(), g.creditCost(), g.requestId().orElse(null));
    core.emit(plan.job().id(), l -> l.onGenerated(plan.job(), answer, usd, latency));
  }

  /** Counts a generate attempt that may have been billed without an answer, and tells the listeners. */
  void possiblyBilled(JobPlan plan, Spending.Cost cost) {
    tally.possiblyBilled(cost);
    core.emit(plan.job().id(), l -> l.onPossiblyBilled(plan.job(), plan.call().model(), cost.credits(), cost.usd()));
  }

  /** Tells the listeners a job's images are downloaded. */
  void downloaded(JobPlan plan, int images, Duration latency) {
    core.emit(plan.job().id(), l -> l.onDownloaded(plan.job(), images, latency));
  }

  /** Counts a job whose earlier answer was downloaded, or ({@code expired}) could not be. */
  void resumed(boolean expired) {
    tally.resumed(expired);
  }

  /** Counts the temporary files of killed runs removed before this one started. */
  void tempFilesRemoved(long n) {
    tally.tempFilesRemoved(n);
  }

  /** Counts a retry of one of the job's requests, and tells the listeners. */
  void retryScheduled(JobPlan plan, String what, int attempt, Duration delay, Throwable cause) {
    tally.retried();
    String id = plan.job().id();
    if (log.isDebugEnabled()) {
      MDC.put("anycap.job", id);
      log.debug("{} of job {} failed (attempt {}), retrying in {} ms: {}", what, id, attempt, delay.toMillis(), cause.toString());
      MDC.remove("anycap.job");
    }
    core.emit(id, l -> l.onRetryScheduled(plan.job(), attempt, delay, cause));
  }

  /** Why a job that was not started was skipped, given the run's state. */
  JobResult.Skipped notStarted(JobPlan plan) {
    String reason = haltReason;
    if (reason != null) {
      return new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.HALTED,
          "not started: the batch stopped because " + reason);
    }
    return new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.CANCELLED,
        "not started: the run was cancelled");
  }

  /** Whether no job may start: the run was halted or cancelled, or the pipeline closed. */
  boolean stopping() {
    return haltReason != null || cancelled();
  }

  void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled || core.closed();
  }

  /** Stops the run: no job starts after this; the first reason given goes into the report. */
  synchronized void halt(String reason) {
    if (haltReason == null) {
      haltReason = reason;
      log.error("stopping the batch: {}", reason);
    }
  }

  /**
   * Keeps the run from draining until {@code work} completes: for what follows a job's result,
   * such as settling it with a queue. Call it from the dispatcher, before {@link #dispatcherDone()}.
   */
  void hold(CompletableFuture<?> work) {
    outstanding.incrementAndGet();
    work.whenComplete(
        (v, e) -> {
          if (outstanding.decrementAndGet() == 0) {
            drained.complete(null);
          }
        });
  }

  /** Called by the dispatcher when it has started everything; completes when all jobs ended. */
  CompletableFuture<Void> dispatcherDone() {
    if (outstanding.decrementAndGet() == 0) {
      drained.complete(null);
    }
    return drained;
  }

  /** Completes when the dispatcher is done and every job it started has ended. */
  CompletableFuture<Void> drained() {
    return drained;
  }

  /**
   * Completes once the run's end has reached its listeners ({@code onBatchFinished}) and its
   * caller, even when the caller cancelled its future: what {@code close()} waits for.
   */
  CompletableFuture<Void> reported() {
    return reported;
  }

  BatchReport report() {
    return tally.report(haltReason, cancelled());
  }
}

package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.ATTEMPT_TIMEOUT;
import static ai.anycap.pipeline.internal.PipelineSettings.JOB_TIMEOUT;
import static ai.anycap.pipeline.internal.PipelineSettings.RETRY;

import ai.anycap.client.DownloadException;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.RequestOptions;
import ai.anycap.client.UploadedImage;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.SkipReason;
import ai.anycap.pipeline.internal.Failures.BillingUncertainException;
import ai.anycap.pipeline.internal.Failures.BudgetExhaustedException;
import ai.anycap.pipeline.internal.Failures.EmptyResultException;
import ai.anycap.pipeline.internal.Failures.JobTimeoutException;
import ai.anycap.pipeline.internal.Failures.NotStartedException;
import ai.anycap.pipeline.internal.Failures.OutputRefusedException;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The requests of one job, once it holds a permit: reserve its cost in the budget, upload its
 * local reference files, make its paid call (a generate, edit or upscale; paced and retried),
 * record the answer before downloading (so that a crash does not make a rerun pay
 * again), download each image (retried as a download, never by generating again), deliver to the
 * sinks, and settle the budget. An attempt that may have been billed without an answer keeps its
 * reservation for good, and is resubmitted only as {@link Retry#uncertain()} allows and when the
 * budget has room for one more. Never fails: every failure becomes a {@link JobResult.Failed}
 * (or a {@link JobResult.Skipped} when nothing was sent).
 */
final class JobExecution {

  private final PipelineCore core;
  private final Run run;
  private final JobPlan plan;
  private final long fingerprint;
  private final Consumer<GeneratedImages> onGenerated;
  private final long started = System.nanoTime();
  private final long deadline;
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicInteger possiblyBilled = new AtomicInteger();
  private volatile BigDecimal reservation = BigDecimal.ZERO;
  private volatile String model;
  private volatile BigDecimal credits = BigDecimal.ZERO;
  private volatile long images;
  private volatile String requestId;
  private volatile long generateStarted;

  /**
   * @param fingerprint the job's journal fingerprint
   * @param onGenerated told of each generate answer before its images are downloaded (a queue
   *     keeps it for whoever takes the job over)
   */
  JobExecution(PipelineCore core, Run run, JobPlan plan, long fingerprint, Consumer<GeneratedImages> onGenerated) {
    this.core = core;
    this.run = run;
    this.plan = plan;
    this.fingerprint = fingerprint;
    this.onGenerated = onGenerated;
    this.model = plan.call().model();
    this.deadline = started + core.settings().get(JOB_TIMEOUT).toNanos();
  }

  /**
   * Generates, downloads and delivers the job's images; once the paid call is answered (and
   * recorded), moves the job from its call permit to a delivery permit.
   */
  CompletableFuture<JobResult> run(JobPermit permit) {
    if (!reserve()) {
      return CompletableFuture.completedFuture(overBudget());
    }
    started();
    return finish(checkedOutput()
        .thenCompose(v -> generate())
        .thenCompose(urls -> permit.toDelivery().thenApply(v -> urls))
        .thenCompose(this::downloadAll));
  }

  /**
   * Downloads the images of an answer an earlier run (or a dead worker) was given; generates again
   * only when they can no longer be fetched. Keeps its call permit throughout, since it may have
   * to make the call after all.
   */
  CompletableFuture<JobResult> resume(GeneratedImages answer) {
    started();
    model = answer.model().isEmpty() ? model : answer.model();
    requestId = answer.requestId();
    return finish(checkedOutput()
        .thenCompose(v -> downloadAll(answer.urls()))
        .thenApply(paths -> {
          run.resumed(false);
          return paths;
        })
        .exceptionallyCompose(error -> {
          if (!expired(error)) {
            return CompletableFuture.failedFuture(error);
          }
          run.resumed(true);
          if (!reserve()) {
            return CompletableFuture.failedFuture(new BudgetExhaustedException(
                "the images generated earlier can no longer be fetched, and " + core.spending().describeLimit(), error));
          }
          return generate().thenCompose(this::downloadAll);
        }));
  }

  private void started() {
    core.emit(plan.job().id(), l -> l.onJobStarted(plan.job()));
  }

  private CompletableFuture<JobResult> finish(CompletableFuture<List<Path>> downloaded) {
    return downloaded
        .thenCompose(
            paths ->
                core.delivery()
                    .deliver(plan.job(), paths.get(0), model, Map.of())
                    .thenApply(d -> d.result(plan, paths, model, credits, attempts.get(), took(), requestId, null)))
        .exceptionally(this::ended)
        .whenComplete((r, e) -> core.spending().settle(reservation, plan.call(), credits, images));
  }

  private JobResult ended(Throwable error) {
    Throwable cause = Failures.unwrap(error);
    if (cause instanceof NotStartedException) {
      return run.notStarted(plan);
    }
    String halt = Failures.haltReason(cause);
    if (halt != null) {
      run.halt(halt);
    }
    return Failures.failed(plan, cause, attempts.get(), credits, took());
  }

  /** How many of the job's attempts may have been billed without an answer. */
  int possiblyBilled() {
    return possiblyBilled.get();
  }

  private boolean reserve() {
    BigDecimal r = core.spending().tryReserve(plan.call());
    if (r == null) {
      return false;
    }
    reservation = reservation.add(r);
    return true;
  }

  private JobResult overBudget() {
    return new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.BUDGET,
        "not started: " + core.spending().describeLimit());
  }

  private CompletableFuture<Void> checkedOutput() {
    try {
      // Refuse a bad output path before paying for an image that could not be written.
      checkOutput(plan.output());
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<List<URI>> generate() {
    generateStarted = System.nanoTime();
    RetryPolicy<ImageGeneration> policy = policy("generate");
    return uploadReferences()
        .thenCompose(v -> Failsafe.with(policy)
            .with(core.attempts())
            .getStageAsync(() -> core.pacer().beforeRequest().thenCompose(this::sendOnce)))
        .thenApply(this::answered);
  }

  /**
   * Uploads the job's local reference files before its paid call, so that a failed upload (free)
   * is never taken for a paid attempt that may have been billed; retried as the job's requests
   * are. The client shares one upload of a file among all the jobs that name it, at once or later,
   * and the paid call then takes the file's object URL from its cache.
   */
  private CompletableFuture<Void> uploadReferences() {
    Set<Path> files = plan.call().localFiles();
    if (files.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (run.stopping()) {
      return CompletableFuture.failedFuture(new NotStartedException());
    }
    CompletableFuture<?>[] uploads = files.stream()
        .map(file -> Failsafe.with(this.<UploadedImage>policy("upload"))
            .with(core.attempts())
            .getStageAsync(() -> core.client().images().uploadAsync(file)))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(uploads);
  }

  /** One attempt of the job's paid call (generate, edit or upscale), once the pacer lets it go. */
  private CompletableFuture<ImageGeneration> sendOnce(RequestPacer.Ticket ticket) {
    if (run.stopping()) {
      core.pacer().afterRequest(ticket, new NotStartedException());
      // Nothing more is sent once the run stops; a job that sent nothing yet was not started.
      return CompletableFuture.failedFuture(attempts.get() == 0 ? new NotStartedException()
          : new JobTimeoutException("the run stopped before the job's next attempt"));
    }
    attempts.incrementAndGet();
    CompletableFuture<ImageGeneration> sent;
    try {
      sent = plan.call().send(core.client().images(), generateOptions());
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((g, e) -> {
      core.pacer().afterRequest(ticket, e == null ? null : Failures.unwrap(e));
      if (e == null) {
        return CompletableFuture.completedFuture(g);
      }
      return CompletableFuture.<ImageGeneration>failedFuture(uncertainOrAsIs(Failures.unwrap(e)));
    }).thenCompose(f -> f);
  }

  /**
   * Books an attempt that may have been billed, and decides whether the job may send another: the
   * policy must allow it, the server must not have forbidden it, and the budget must have room.
   */
  private Throwable uncertainOrAsIs(Throwable failure) {
    if (!Failures.possiblyBilled(failure)) {
      return failure;
    }
    possiblyBilled.incrementAndGet();
    BigDecimal held = reservation;
    reservation = BigDecimal.ZERO;
    run.possiblyBilled(plan, core.spending().possiblyBilled(held, plan.call()));
    if (!Failures.retryable(failure) || core.settings().get(RETRY).uncertain() == Retry.Uncertain.FAIL) {
      return new BillingUncertainException("the request may have been generated and billed without an answer ("
          + failure.getMessage() + "); not sent again", failure);
    }
    if (!reserve()) {
      return new BudgetExhaustedException("the request may have been generated and billed without an answer,"
          + " and there is no room to send it again: " + core.spending().describeLimit(), failure);
    }
    return failure;
  }

  /** Books the answer, and records it before anything is downloaded. */
  private List<URI> answered(ImageGeneration g) {
    model = g.model();
    requestId = g.requestId().orElse(null);
    credits = g.creditCost();
    images = g.outputs().size();
    run.spent(plan, g, Duration.ofNanos(System.nanoTime() - generateStarted));
    if (g.outputs().isEmpty()) {
      throw new EmptyResultException("the server returned no image (request_id=" + requestId + ")");
    }
    core.journal().generated(plan, fingerprint, g);
    onGenerated.accept(new GeneratedImages(g.outputs(), g.model(), g.creditCost(), requestId));
    return g.outputs();
  }

  private CompletableFuture<List<Path>> downloadAll(List<URI> urls) {
    List<Path> targets = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      targets.add(i == 0 ? plan.output() : OutputPaths.numbered(plan.output(), i + 1));
    }
    long downloadStarted = System.nanoTime();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 0; i < targets.size(); i++) {
      URI url = urls.get(i);
      Path target = targets.get(i);
      chain = chain.thenCompose(v -> download(url, target));
    }
    return chain.thenApply(v -> {
      run.downloaded(plan, targets.size(), Duration.ofNanos(System.nanoTime() - downloadStarted));
      return targets;
    });
  }

  private CompletableFuture<Void> download(URI url, Path target) {
    try {
      checkOutput(target);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // The image is paid for: neither the job's deadline nor a stopping run abandons its download.
    RetryPolicy<Path> policy = RetryPolicies.forRequests(core.settings().get(RETRY), () -> false,
        (attempt, delay, cause) -> run.retryScheduled(plan, "download", attempt, delay, cause));
    return Failsafe.with(policy)
        .with(core.attempts())
        .getStageAsync(() -> core.client().images().downloadAsync(url, target, timeoutOptions()))
        .thenApply(p -> null);
  }

  /** Whether an earlier answer's images can no longer be fetched (the URLs expired, or are refused). */
  private static boolean expired(Throwable error) {
    if (!(Failures.unwrap(error) instanceof DownloadException d)) {
      return false;
    }
    int status = d.statusCode().orElse(0);
    return d.reason() == DownloadException.Reason.UNSUPPORTED_URL
        || (d.reason() == DownloadException.Reason.HTTP_STATUS && status >= 400 && status < 500);
  }

  /** Checks the path on disk, just before a request that will write it. */
  private void checkOutput(Path target) {
    try {
      core.resolver().outputs().checkOnDisk(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      throw new OutputRefusedException(e.getMessage());
    }
  }

  /**
   * The next generate attempt's options. The job's deadline decides whether an attempt may start;
   * it never shortens one: a slow model's generate gets its whole timeout (the client's, per model,
   * unless the pipeline sets an attempt timeout), since cutting it short would resubmit, and
   * perhaps pay for, an image that was about to arrive.
   */
  private RequestOptions generateOptions() {
    if (System.nanoTime() - deadline >= 0) {
      throw new JobTimeoutException("job timed out after " + core.settings().get(JOB_TIMEOUT));
    }
    return timeoutOptions();
  }

  /** A request's options: the attempt timeout when one is set, else the client's. */
  private RequestOptions timeoutOptions() {
    RequestOptions.Builder b = RequestOptions.builder();
    if (core.settings().has(ATTEMPT_TIMEOUT)) {
      b.timeout(core.settings().get(ATTEMPT_TIMEOUT));
    }
    return b.build();
  }

  private <T> RetryPolicy<T> policy(String what) {
    return RetryPolicies.forRequests(
        core.settings().get(RETRY),
        () -> run.stopping() || System.nanoTime() - deadline >= 0,
        (attempt, delay, cause) -> run.retryScheduled(plan, what, attempt, delay, cause));
  }

  private Duration took() {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}

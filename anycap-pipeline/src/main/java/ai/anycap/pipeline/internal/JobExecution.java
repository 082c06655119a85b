package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.ATTEMPT_TIMEOUT;
import static ai.anycap.pipeline.internal.PipelineSettings.JOB_TIMEOUT;
import static ai.anycap.pipeline.internal.PipelineSettings.RETRY;

import ai.anycap.client.ImageGeneration;
import ai.anycap.client.RequestOptions;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.internal.Failures.EmptyResultException;
import ai.anycap.pipeline.internal.Failures.JobTimeoutException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests of one job, once it holds a permit and its budget: generate (paced and retried),
 * download each image (retried as a download, never by generating again), deliver to the sinks,
 * and the job's result. A 401, 402 or 403 halts the run. Never fails: every failure becomes a
 * {@link JobResult.Failed}.
 */
final class JobExecution {

  private final PipelineCore core;
  private final Run run;
  private final JobPlan plan;
  private final long started = System.nanoTime();
  private final long deadline;
  private final AtomicInteger attempts = new AtomicInteger();
  private volatile String model;
  private volatile BigDecimal credits = BigDecimal.ZERO;
  private volatile long images;
  private volatile String requestId;

  JobExecution(PipelineCore core, Run run, JobPlan plan) {
    this.core = core;
    this.run = run;
    this.plan = plan;
    this.model = plan.request().model();
    this.deadline = started + core.settings().get(JOB_TIMEOUT).toNanos();
  }

  CompletableFuture<JobResult> run() {
    CompletableFuture<ImageGeneration> generated;
    try {
      // Refuse a bad output path before paying for an image that could not be written.
      checkOutput(plan.output());
      generated = generate();
    } catch (RuntimeException e) {
      generated = CompletableFuture.failedFuture(e);
    }
    return generated
        .thenCompose(this::downloadAll)
        .thenCompose(
            paths ->
                core.delivery()
                    .deliver(plan.job(), paths.get(0), model, Map.of())
                    .thenApply(d -> d.result(plan, paths, model, credits, attempts.get(), took(), requestId, null)))
        .exceptionally(
            error -> {
              String halt = Failures.haltReason(error);
              if (halt != null) {
                run.halt(halt);
              }
              return Failures.failed(plan, error, attempts.get(), credits, took());
            });
  }

  /** The model that made the image (the server's word once it answered), for the budget. */
  String model() {
    return model;
  }

  BigDecimal credits() {
    return credits;
  }

  long images() {
    return images;
  }

  private CompletableFuture<ImageGeneration> generate() {
    RetryPolicy<ImageGeneration> policy = policy("generate");
    return Failsafe.with(policy)
        .with(core.scheduler())
        .getStageAsync(
            () ->
                core.pacer()
                    .beforeRequest()
                    .thenCompose(
                        ticket -> {
                          attempts.incrementAndGet();
                          CompletableFuture<ImageGeneration> sent;
                          try {
                            sent = core.client().images().generateAsync(plan.request(), options());
                          } catch (RuntimeException e) {
                            sent = CompletableFuture.failedFuture(e);
                          }
                          return sent.whenComplete(
                              (g, e) -> core.pacer().afterRequest(ticket, e == null ? null : Failures.unwrap(e)));
                        }))
        .thenApply(
            g -> {
              model = g.model();
              requestId = g.requestId().orElse(null);
              credits = g.creditCost();
              images = g.outputs().size();
              run.spent(g.model(), g.creditCost(), g.outputs().size());
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
      checkOutput(target);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    RetryPolicy<Path> policy = policy("download");
    return Failsafe.with(policy)
        .with(core.scheduler())
        .getStageAsync(() -> core.client().images().downloadAsync(url, target, options()))
        .thenApply(p -> null);
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

  /** The next request's options: its timeout, never past the job's deadline. */
  private RequestOptions options() {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new JobTimeoutException("job timed out after " + core.settings().get(JOB_TIMEOUT));
    }
    Duration timeout = Duration.ofNanos(Math.min(remaining, core.settings().get(ATTEMPT_TIMEOUT).toNanos()));
    return RequestOptions.builder().timeout(timeout).build();
  }

  private <T> RetryPolicy<T> policy(String what) {
    return RetryPolicies.forRequests(
        core.settings().get(RETRY),
        () -> run.stopping() || System.nanoTime() >= deadline,
        (attempt, delay, cause) -> run.retryScheduled(plan, what, attempt, delay, cause));
  }

  private Duration took() {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}

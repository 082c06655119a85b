package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.DEDUPLICATE;
import static ai.anycap.pipeline.internal.PipelineSettings.MAX_PROMPT_LENGTH;

import ai.anycap.pipeline.BatchCheck;
import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.QueuedJob;
import ai.anycap.pipeline.SkipReason;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Owns a pipeline's runs: a batch ({@link #runBatch}), a queue worker ({@link #work}) and the single
 * jobs of {@link #submit}. Each batch or worker runs on a thread of its own and is tracked until
 * its last job has ended and its report reached the caller, so that {@link #close()} can wait for
 * it. Every job, whichever way it came, goes through {@link Run#admit}.
 */
public final class Dispatcher {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("ai.anycap.pipeline");
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final PipelineCore core;
  /** The run of the jobs given to {@link #submit}: one for the pipeline's life. */
  private final Run single;
  private final Set<Run> running = ConcurrentHashMap.newKeySet();
  /** Runs whose end has not yet reached their listeners and callers: close() waits for them before the event thread stops. */
  private final Set<CompletableFuture<Void>> reporting = ConcurrentHashMap.newKeySet();

  public Dispatcher(PipelineCore core) {
    this.core = core;
    this.single = new Run(core, false);
  }

  /**
   * Starts a batch: checks the whole source, then (unless it has entries that cannot run and bad
   * entries are not to be skipped) reads it again and admits each entry. A cancelled or halted
   * batch reads on to the end, recording each entry it did not start as skipped, so that its
   * report counts every entry.
   */
  public CompletableFuture<BatchReport> runBatch(JobSource source) {
    return start(new Run(core, core.settings().get(DEDUPLICATE)), "dispatch", (run, result) -> batch(source, run, result));
  }

  private void batch(JobSource source, Run run, CompletableFuture<BatchReport> result) {
    Validation validation = Validation.of(source, core);
    warn(validation.warnings(), true);
    if (validation.refuses()) {
      fail(run, result, validation.refusal(source.description()));
      return;
    }
    run.limitDeduplicationTo(validation.repeatedRequests());
    core.journal().reserve(validation.entries());
    run.tempFilesRemoved(core.removeLeftovers());
    core.emit(null, l -> l.onBatchStarted(OptionalLong.of(validation.entries())));
    SourceWalk.walk(source, core.resolver(), new SourceWalk.Visitor() {
      @Override
      public void entry(long index, JobPlan plan) {
        String problem = validation.problemAt(index);
        if (problem != null) {
          run.record(new JobResult.Skipped(plan.job().id(), plan.position(), SkipReason.INVALID, problem));
        } else {
          run.admit(plan, true);
        }
      }

      @Override
      public void invalid(long index, String jobId, InvalidJobException problem) {
        run.record(new JobResult.Skipped(jobId, problem.position(), SkipReason.INVALID, problem.getMessage()));
      }
    });
    finish(run, result);
  }

  /**
   * Starts a queue worker: takes only as many jobs as the concurrency limit has room for, admits
   * each as a batch entry, and settles each with the queue once its result (and its sinks) are
   * recorded. A 401, 402 or 403, or a spent budget, stops it; so do cancelling and closing.
   */
  public CompletableFuture<BatchReport> work(QueueConsumer consumer) {
    return start(new Run(core, false), "worker", (run, result) -> workLoop(consumer, run, result));
  }

  private void workLoop(QueueConsumer consumer, Run run, CompletableFuture<BatchReport> result) {
    run.tempFilesRemoved(core.removeLeftovers());
    core.emit(null, l -> l.onBatchStarted(OptionalLong.empty()));
    while (!run.stopping()) {
      try {
        // Wait for room, so that nothing is taken from the queue that this worker cannot start.
        core.permits().acquire().join();
        core.permits().release();
      } catch (CompletionException | CancellationException e) {
        break;
      }
      int room = Math.max(1, core.permits().limit() - core.permits().inUse());
      for (QueuedJob queued : consumer.take(room, Duration.ofSeconds(1))) {
        admitQueued(consumer, run, queued);
      }
    }
    finish(run, result);
  }

  private void admitQueued(QueueConsumer consumer, Run run, QueuedJob queued) {
    ImageJob job = queued.job();
    JobPosition position = new JobPosition("queue " + queued.messageId(), 0);
    CompletableFuture<JobResult> admitted;
    try {
      JobPlan plan = core.resolver().resolve(job, position);
      Validation.checkPrompt(plan, core.settings().get(MAX_PROMPT_LENGTH));
      admitted = run.admit(plan, true, queued.generated(), images -> consumer.generated(queued, images));
    } catch (InvalidJobException e) {
      admitted = run.recorded(new JobResult.Skipped(job.id(), position, SkipReason.INVALID, e.getMessage()));
    }
    // Held by the run, so that work()'s future and close() also wait for the settle.
    run.hold(
        admitted.whenComplete(
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
   * Admits one job outside any batch, under the pipeline's limits, budget and journal.
   *
   * @return the job's result; failed with {@link InvalidJobException} when the job is malformed
   */
  public CompletableFuture<JobResult> submit(ImageJob job) {
    if (core.closed()) {
      return CompletableFuture.failedFuture(new IllegalStateException("pipeline is closed"));
    }
    JobPlan plan;
    try {
      plan = core.resolver().resolve(job, new JobPosition("submit", 0));
      Validation.checkPrompt(plan, core.settings().get(MAX_PROMPT_LENGTH));
    } catch (InvalidJobException e) {
      return CompletableFuture.failedFuture(e);
    }
    return single.admit(plan, false);
  }

  /**
   * Waits for a run's report; an interrupt cancels the run.
   *
   * @throws CancellationException when the waiting thread is interrupted
   * @throws RuntimeException the run's own failure, unwrapped
   */
  public static BatchReport await(CompletableFuture<BatchReport> run) {
    try {
      return run.get();
    } catch (InterruptedException e) {
      run.cancel(true);
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
   * Checks {@code source} as a batch would before its first request, on the calling thread;
   * sends nothing that is paid for.
   *
   * @throws ai.anycap.pipeline.BatchValidationException when the batch would be refused
   */
  public BatchCheck check(JobSource source) {
    if (core.closed()) {
      throw new IllegalStateException("pipeline is closed");
    }
    Validation validation = Validation.of(source, core);
    warn(validation.warnings(), false);
    if (validation.refuses()) {
      throw validation.refusal(source.description());
    }
    return validation.result();
  }

  /** Logs what the checking pass could not check, and tells the listeners when a batch runs. */
  private void warn(List<String> warnings, boolean toListeners) {
    for (String w : warnings) {
      log.warn(w);
      if (toListeners) {
        core.emit(null, l -> l.onWarning(w));
      }
    }
  }

  /** What running {@code source} would cost; see {@link Estimation}. */
  public BatchEstimate estimate(JobSource source) {
    return Estimation.of(source, core);
  }

  /**
   * Starts a run on a thread of its own: tracked until drained (so that {@link #close()} waits for
   * it), stopped by cancelling its future, and failed with whatever its loop throws.
   */
  private CompletableFuture<BatchReport> start(Run run, String role, BiConsumer<Run, CompletableFuture<BatchReport>> loop) {
    if (core.closed()) {
      throw new IllegalStateException("pipeline is closed");
    }
    CompletableFuture<BatchReport> result = new CompletableFuture<>();
    running.add(run);
    run.drained().whenComplete((v, e) -> running.remove(run));
    reporting.add(run.reported());
    run.reported().whenComplete((r, e) -> reporting.remove(run.reported()));
    result.whenComplete(
        (r, e) -> {
          if (e instanceof CancellationException) {
            run.cancel();
          }
        });
    Runnable body = () -> {
      try {
        loop.accept(run, result);
      } catch (RuntimeException | Error e) {
        run.cancel();
        fail(run, result, e);
      }
    };
    Thread thread = new Thread(body, "anycap-pipeline-" + role + "-" + RUNS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  /** Completes {@code result} with the run's report once every job it started has ended. */
  private void finish(Run run, CompletableFuture<BatchReport> result) {
    run.dispatcherDone()
        .whenComplete(
            (v, e) -> {
              BatchReport report = run.report();
              core.emit(null, l -> l.onBatchFinished(report));
              core.afterEvents(() -> {
                result.complete(report);
                run.reported().complete(null);
              });
            });
  }

  /** Fails {@code result} once every job the run started has ended. */
  private static void fail(Run run, CompletableFuture<BatchReport> result, Throwable failure) {
    run.dispatcherDone().whenComplete((v, ignored) -> {
      result.completeExceptionally(failure);
      run.reported().complete(null);
    });
  }

  /**
   * Stops taking jobs, waits for every run to end and its report to reach its caller, then shuts
   * the pipeline's threads and journal down. Batches still reading record the rest of their
   * entries as cancelled. Does nothing the second time.
   */
  public void close() {
    if (core.closed()) {
      return;
    }
    core.stopTakingJobs();
    for (Run run : List.copyOf(running)) {
      run.drained().join();
    }
    single.dispatcherDone().join();
    // A run's report reaches its listeners and its caller through the event thread, a moment after
    // the run drains; a caller that cancelled its future still has listeners waiting for it.
    for (CompletableFuture<Void> reported : List.copyOf(reporting)) {
      reported.join();
    }
    core.shutdown();
  }
}

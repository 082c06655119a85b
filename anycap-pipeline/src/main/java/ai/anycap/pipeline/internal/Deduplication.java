package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.JobResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identical requests in one run are generated once: the first job of a kind runs, and each later
 * one waits for it, takes no permit, and copies its image (then has it delivered as its own). When
 * the first fails, so do the others, with its error; when only its delivery failed, the image is
 * there to copy.
 */
final class Deduplication {

  /** What the first job of a kind left for the identical jobs that wait on it. */
  record Outcome(String jobId, Path output, JobResult result) {}

  /**
   * A job's place among identical ones: it follows an earlier one ({@code first} is set), or it
   * runs, and then tells the ones that follow it ({@code mine} is set, or neither when it has no
   * twin).
   */
  record Claim(CompletableFuture<Outcome> first, CompletableFuture<Outcome> mine) {
    static final Claim ALONE = new Claim(null, null);

    boolean follows() {
      return first != null;
    }

    /** Tells the jobs that follow this one how it ended. */
    void settle(JobPlan plan, JobResult result) {
      if (mine != null) {
        mine.complete(new Outcome(plan.job().id(), plan.output(), result));
      }
    }
  }

  private final PipelineCore core;
  private final boolean enabled;
  private final Map<RequestDigest, CompletableFuture<Outcome>> firsts = new ConcurrentHashMap<>();
  /** The requests that occur more than once in the source; null: any request may. */
  private volatile Set<RequestDigest> repeated;

  /**
   * @param enabled off for queue workers and single jobs, whose runs have no end by which to
   *     forget what they saw
   */
  Deduplication(PipelineCore core, boolean enabled) {
    this.core = core;
    this.enabled = enabled;
  }

  /**
   * Limits de-duplication to these requests, found by the validation pass, so that a batch of
   * distinct requests keeps nothing per job in memory.
   */
  void limitTo(Set<RequestDigest> repeatedRequests) {
    this.repeated = Set.copyOf(repeatedRequests);
  }

  Claim claim(JobPlan plan) {
    if (!enabled) {
      return Claim.ALONE;
    }
    RequestDigest digest = RequestDigest.of(plan.call());
    Set<RequestDigest> candidates = repeated;
    if (candidates != null && !candidates.contains(digest)) {
      return Claim.ALONE;
    }
    CompletableFuture<Outcome> fresh = new CompletableFuture<>();
    CompletableFuture<Outcome> first = firsts.putIfAbsent(digest, fresh);
    return first != null ? new Claim(first, null) : new Claim(null, fresh);
  }

  /** The result of a job that follows {@code claim}'s first: a copy of its image, delivered. */
  CompletableFuture<JobResult> follow(JobPlan plan, Claim claim) {
    return claim.first().thenCompose(outcome -> copyOf(plan, outcome));
  }

  private CompletableFuture<JobResult> copyOf(JobPlan plan, Outcome first) {
    long t0 = System.nanoTime();
    JobResult primary = first.result();
    if (primary instanceof JobResult.Succeeded s) {
      try {
        core.resolver().outputs().checkOnDisk(plan.output());
        copyAtomically(first.output(), plan.output());
      } catch (IOException | IllegalArgumentException e) {
        return CompletableFuture.completedFuture(new JobResult.Failed(plan.job(), "OUTPUT_FAILED",
            "cannot copy the image of identical job " + first.jobId() + ": " + e.getMessage(),
            BigDecimal.ZERO, 0, Duration.ofNanos(System.nanoTime() - t0), List.of(), List.of()));
      }
      return core.delivery()
          .deliver(plan.job(), plan.output(), s.model(), Map.of())
          .thenApply(d -> d.result(plan, List.of(plan.output()), s.model(), BigDecimal.ZERO, 0,
              Duration.ofNanos(System.nanoTime() - t0), s.requestId(), first.jobId()));
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
}

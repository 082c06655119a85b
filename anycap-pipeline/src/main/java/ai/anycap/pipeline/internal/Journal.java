package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageGeneration;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.OutputCheck;
import ai.anycap.pipeline.SinkReceipt;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the pipeline remembers of jobs across runs, keyed by job id and checked against what each
 * job asks for now: which succeeded (a rerun skips them while their request is unchanged and their
 * files are still there), which made an image that not every sink received (a rerun delivers it),
 * and which the server had answered when the process stopped (a rerun downloads that answer's
 * images instead of paying for new ones). {@link #none()} remembers nothing, for a pipeline built
 * without a journal file.
 */
public interface Journal extends AutoCloseable {

  /**
   * Locks the journal at {@code file} for this pipeline, reads it (it may not exist yet), and opens
   * it for appending. {@code referenceSha256} hashes a job's local reference files for its
   * fingerprint.
   *
   * @throws ai.anycap.pipeline.JournalException when it cannot be read or written, or another
   *     pipeline (in this process or another) holds it
   */
  static Journal open(
      Path file, Path outputRoot, Clock clock, OutputCheck check, Function<Path, String> referenceSha256) {
    return FileJournal.open(file, outputRoot, clock, check, referenceSha256);
  }

  /** A journal that remembers nothing and writes nothing. */
  static Journal none() {
    return None.INSTANCE;
  }

  /** The journal's name for messages, such as {@code manifest.jsonl}. */
  String name();

  /**
   * The fingerprint a job is remembered by: its request (local reference files by the SHA-256 of
   * their bytes) and its output path, so that a job whose template, parameters, reference files
   * or output key changed is not mistaken for the one the journal recorded. 0 for a journal that
   * remembers nothing.
   *
   * @throws ai.anycap.client.UploadException when a local reference file cannot be read
   */
  long fingerprint(JobPlan plan);

  /** What the journal knows of job {@code jobId}, whose fingerprint now is {@code fingerprint}. */
  Entry lookup(String jobId, long fingerprint);

  /**
   * Records, before anything is downloaded, that the server generated (and billed) the job's
   * images, so that a run that stops before the download can fetch them instead of paying again.
   */
  void generated(JobPlan plan, long fingerprint, ImageGeneration generation);

  /** Appends the result of a job that ran (succeeded or failed); skipped jobs are not recorded. */
  void record(long fingerprint, JobResult result, long possiblyBilled);

  /**
   * Makes room, before a batch starts, for what the journal will learn of its {@code jobs} jobs,
   * so that what it keeps of them is allocated once, not grown (and copied) while they run.
   */
  void reserve(long jobs);

  @Override
  void close();

  /** What the journal knows of one job. */
  sealed interface Entry {}

  /** Nothing: no line names the job. */
  enum Unknown implements Entry {
    INSTANCE
  }

  /** The job succeeded for this very request, and its files are as recorded. */
  enum Done implements Entry {
    INSTANCE
  }

  /** The job succeeded or was answered for another request than it makes now: run it again. */
  enum Changed implements Entry {
    INSTANCE
  }

  /** The job succeeded, but a file of it is missing or changed: make it again. */
  enum OutputChanged implements Entry {
    INSTANCE
  }

  /**
   * The job's image was kept but not delivered to every sink.
   *
   * @param outputs the image files, relative to the output root
   * @param model the model that made it, or empty when not recorded
   * @param receipts the sinks that did deliver it, by name
   */
  record Undelivered(List<String> outputs, String model, Map<String, SinkReceipt> receipts) implements Entry {

    /** Whether every file is still there, under {@code root}. */
    public boolean outputsExist(Path root) {
      return !outputs.isEmpty() && paths(root).stream().allMatch(java.nio.file.Files::isRegularFile);
    }

    /** The files, resolved under {@code root}; any that would leave it are dropped. */
    public List<Path> paths(Path root) {
      return outputs.stream().map(o -> root.resolve(o).normalize()).filter(p -> p.startsWith(root)).toList();
    }
  }

  /**
   * The server answered the job's generate request (and billed it), but its images were not
   * downloaded.
   *
   * @param images the answer
   */
  record Generated(GeneratedImages images) implements Entry {}

  /** The journal of a pipeline without one. */
  final class None implements Journal {
    private static final None INSTANCE = new None();

    private None() {}

    @Override
    public String name() {
      return "no journal";
    }

    @Override
    public long fingerprint(JobPlan plan) {
      return 0;
    }

    @Override
    public Entry lookup(String jobId, long fingerprint) {
      return Unknown.INSTANCE;
    }

    @Override
    public void generated(JobPlan plan, long fingerprint, ImageGeneration generation) {}

    @Override
    public void record(long fingerprint, JobResult result, long possiblyBilled) {}

    @Override
    public void reserve(long jobs) {}

    @Override
    public void close() {}
  }
}

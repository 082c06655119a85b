package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SinkReceipt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * What the pipeline remembers of jobs across runs: which succeeded (a rerun skips them) and which
 * made an image that not every sink received (a rerun delivers it, without generating again).
 * {@link #none()} remembers nothing, for a pipeline built without a journal file.
 */
public interface Journal extends AutoCloseable {

  /** Reads the journal at {@code file} (which may not exist yet) and opens it for appending. */
  static Journal open(Path file, Path outputRoot, Clock clock) {
    return FileJournal.open(file, outputRoot, clock);
  }

  /** A journal that remembers nothing and writes nothing. */
  static Journal none() {
    return None.INSTANCE;
  }

  /** The journal's name for messages, such as {@code manifest.jsonl}. */
  String name();

  /** Whether an earlier run (or an earlier job of this pipeline) recorded the job as succeeded. */
  boolean succeeded(String jobId);

  /** The job's image that was kept but not delivered to every sink, or null. */
  Undelivered undelivered(String jobId);

  /** Appends the result of a job that ran (succeeded or failed); skipped jobs are not recorded. */
  void record(JobResult result);

  @Override
  void close();

  /**
   * A job whose image was made in an earlier run but not delivered to every sink.
   *
   * @param outputs the image files, relative to the output root
   * @param model the model that made it, or empty when not recorded
   * @param receipts the sinks that did deliver it, by name
   */
  record Undelivered(List<String> outputs, String model, Map<String, SinkReceipt> receipts) {

    /** Whether every file is still there, under {@code root}. */
    public boolean outputsExist(Path root) {
      return !outputs.isEmpty() && paths(root).stream().allMatch(Files::isRegularFile);
    }

    /** The files, resolved under {@code root}; any that would leave it are dropped. */
    public List<Path> paths(Path root) {
      return outputs.stream().map(o -> root.resolve(o).normalize()).filter(p -> p.startsWith(root)).toList();
    }
  }

  /** The journal of a pipeline without one. */
  final class None implements Journal {
    private static final None INSTANCE = new None();

    private None() {}

    @Override
    public String name() {
      return "no journal";
    }

    @Override
    public boolean succeeded(String jobId) {
      return false;
    }

    @Override
    public Undelivered undelivered(String jobId) {
      return null;
    }

    @Override
    public void record(JobResult result) {}

    @Override
    public void close() {}
  }
}

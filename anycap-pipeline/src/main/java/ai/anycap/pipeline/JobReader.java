package ai.anycap.pipeline;

import java.util.Optional;

/**
 * One pass over a {@link JobSource}. Not thread-safe: the pipeline reads from one thread.
 */
public interface JobReader extends AutoCloseable {

  /**
   * The next job.
   *
   * @return the next job, or empty at the end
   * @throws InvalidJobException when the next entry is malformed; reading may go on after it,
   *     with the entry after the bad one
   */
  Optional<ImageJob> next();

  /** {@return where the entry last returned (or refused) came from, for error messages} */
  JobPosition position();

  /** Releases the underlying file. Does not throw. */
  @Override
  void close();
}

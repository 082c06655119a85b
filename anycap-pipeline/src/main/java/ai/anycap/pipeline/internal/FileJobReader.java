package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobPosition;
import ai.anycap.pipeline.JobReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One pass over a job file: the position of the entry last read (the file name and its line), the
 * end of the pass, and the refusal to read once closed. Subclasses parse the entries. Not
 * thread-safe.
 */
abstract class FileJobReader implements JobReader {

  final Path file;
  final String source;
  /** The line of the entry last returned or refused; 0 before the first. */
  long line;
  /** Set once nothing more can be read: the end of the file, or a failure the reader cannot pass. */
  boolean done;
  private boolean closed;

  FileJobReader(Path file) {
    this.file = file;
    this.source = JobFiles.description(file);
  }

  @Override
  public final Optional<ImageJob> next() {
    if (closed) {
      throw new IllegalStateException("reader of " + source + " is closed");
    }
    return done ? Optional.empty() : read();
  }

  /** The next entry, or empty (with {@link #done} set) at the end. */
  abstract Optional<ImageJob> read();

  @Override
  public final JobPosition position() {
    return new JobPosition(source, line);
  }

  @Override
  public final void close() {
    closed = true;
    release();
  }

  /** Closes the file; does not throw. */
  abstract void release();

  final UncheckedIOException ioFailure(IOException e) {
    return new UncheckedIOException("cannot read " + file.toAbsolutePath() + ": " + e, e);
  }
}

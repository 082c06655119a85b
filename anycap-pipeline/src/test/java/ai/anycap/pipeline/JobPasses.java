package ai.anycap.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a whole source the way the pipeline's check pass does: past bad entries, to the end. */
final class JobPasses {

  /** What one pass saw, in order. */
  record Pass(List<ImageJob> jobs, List<Long> lines, List<InvalidJobException> errors) {

    List<String> ids() {
      return jobs.stream().map(ImageJob::id).toList();
    }

    InvalidJobException onlyError() {
      if (errors.size() != 1) {
        throw new AssertionError("expected exactly one error, got " + errors);
      }
      return errors.get(0);
    }
  }

  private JobPasses() {}

  static Pass readAll(JobSource source) {
    List<ImageJob> jobs = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    List<InvalidJobException> errors = new ArrayList<>();
    JobReader reader;
    try {
      reader = source.open();
    } catch (InvalidJobException e) {
      errors.add(e);
      return new Pass(jobs, lines, errors);
    }
    try (reader) {
      // bounded, so a reader that never ends fails the test instead of hanging it
      for (int i = 0; i < 1_000_000; i++) {
        try {
          Optional<ImageJob> job = reader.next();
          if (job.isEmpty()) {
            return new Pass(jobs, lines, errors);
          }
          jobs.add(job.get());
          lines.add(reader.position().line());
        } catch (InvalidJobException e) {
          assertSamePosition(e, reader.position());
          errors.add(e);
        }
      }
    }
    throw new AssertionError("reader did not end");
  }

  private static void assertSamePosition(InvalidJobException e, JobPosition position) {
    if (!e.position().equals(position)) {
      throw new AssertionError(
          "position() " + position + " differs from the error's " + e.position());
    }
  }
}

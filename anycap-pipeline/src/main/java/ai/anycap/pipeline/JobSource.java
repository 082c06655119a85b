package ai.anycap.pipeline;

import java.util.Objects;

/**
 * Where a batch's jobs come from: a CSV file ({@link CsvJobSource}), a JSON Lines file ({@link
 * JsonLinesJobSource}), a collection ({@link #of(Iterable)}), or your own.
 *
 * <p>Sources are read lazily, one job at a time, so 100,000 rows never sit in memory at once. A
 * source may be opened more than once (the pipeline checks a whole file before it spends anything,
 * then reads it again to run it); each pass must yield the same jobs in the same order.
 */
@FunctionalInterface
public interface JobSource {

  /**
   * Starts a new pass over the jobs, from the first.
   *
   * @return a reader of this pass; close it when done
   * @throws InvalidJobException when the source cannot be read at all (no file, no header)
   */
  JobReader open();

  /** {@return a short name for messages, such as the file name} By default the class's simple name. */
  default String description() {
    return getClass().getSimpleName();
  }

  /**
   * A source over jobs already in memory; positions are {@code jobs:<n>}, from 1.
   *
   * @param jobs the jobs, read again (in the same order) for each pass
   * @return the source
   */
  static JobSource of(Iterable<ImageJob> jobs) {
    Objects.requireNonNull(jobs, "jobs");
    return new JobSource() {
      @Override
      public JobReader open() {
        java.util.Iterator<ImageJob> it = jobs.iterator();
        return new JobReader() {
          private long index;

          @Override
          public java.util.Optional<ImageJob> next() {
            if (!it.hasNext()) {
              return java.util.Optional.empty();
            }
            index++;
            return java.util.Optional.of(Objects.requireNonNull(it.next(), "job"));
          }

          @Override
          public JobPosition position() {
            return new JobPosition("jobs", index);
          }

          @Override
          public void close() {}
        };
      }

      @Override
      public String description() {
        return "jobs";
      }
    };
  }
}

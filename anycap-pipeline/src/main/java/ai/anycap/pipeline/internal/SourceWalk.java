package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobReader;
import ai.anycap.pipeline.JobSource;
import java.util.Optional;

/**
 * The one loop over a {@link JobSource}: reads each entry, resolves its job (template, model,
 * parameters, output path) and hands the visitor either the resolved job or why the entry cannot
 * run. The checking pass, the dispatching pass and {@code estimate} all walk a source this way, so
 * they count and number entries alike: entry {@code n} of one pass is entry {@code n} of the next.
 */
final class SourceWalk {

  /** What a walk hands each entry to, in order. */
  interface Visitor {

    /**
     * An entry that reads and resolves.
     *
     * @param index the entry's number, from 1
     * @param plan its job, the request it sends and the file it writes
     */
    void entry(long index, JobPlan plan);

    /**
     * An entry that cannot run: it does not read (the job id is then its position) or its job
     * does not resolve.
     *
     * @param index the entry's number, from 1
     * @param jobId the job's id, or the entry's position when it could not be read
     * @param problem what is wrong, naming the position and field
     */
    void invalid(long index, String jobId, InvalidJobException problem);
  }

  private SourceWalk() {}

  /**
   * Walks the whole source, from its first entry to its last.
   *
   * @return how many entries it has
   * @throws InvalidJobException when the source cannot be opened at all (no file, no header)
   */
  static long walk(JobSource source, JobResolver resolver, Visitor visitor) {
    try (JobReader reader = source.open()) {
      long index = 0;
      while (true) {
        Optional<ImageJob> next;
        try {
          next = reader.next();
        } catch (InvalidJobException e) {
          visitor.invalid(++index, e.position().toString(), e);
          continue;
        }
        if (next.isEmpty()) {
          return index;
        }
        index++;
        ImageJob job = next.get();
        JobPlan plan;
        try {
          plan = resolver.resolve(job, reader.position());
        } catch (InvalidJobException e) {
          visitor.invalid(index, job.id(), e);
          continue;
        }
        visitor.entry(index, plan);
      }
    }
  }
}

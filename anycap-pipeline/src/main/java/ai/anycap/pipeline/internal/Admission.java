package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.SinkReceipt;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What becomes of a job, by what the journal knows of it: the one rule for a batch's entries, a
 * queue worker's jobs, {@code submit} and {@code estimate} alike. A job the journal records as
 * succeeded for the same request, with its files as recorded, is {@link AlreadyDone} (skipped,
 * nothing sent); one whose image an earlier run kept but did not deliver everywhere is {@link
 * Deliver}ed; one the server had answered when an earlier run stopped is {@link Resume}d (its
 * images downloaded, not generated again); any other job is {@link Execute}d, with the reason.
 */
sealed interface Admission {

  /**
   * Decides for {@code plan}.
   *
   * @param fingerprint the job's fingerprint ({@link Journal#fingerprint})
   * @param carried what the job's queue entry says the server answered for it, or null
   */
  static Admission of(Journal journal, JobPlan plan, long fingerprint, Path outputRoot, GeneratedImages carried) {
    Journal.Entry known = journal.lookup(plan.job().id(), fingerprint);
    if (known instanceof Journal.Done) {
      return new AlreadyDone("succeeded in an earlier run (" + journal.name() + ")");
    }
    if (known instanceof Journal.Undelivered kept && kept.outputsExist(outputRoot)) {
      String model = kept.model().isEmpty() ? plan.call().model() : kept.model();
      return new Deliver(kept.paths(outputRoot), model, kept.receipts());
    }
    if (known instanceof Journal.Generated answer) {
      return new Resume(answer.images());
    }
    if (carried != null) {
      return new Resume(carried);
    }
    if (known instanceof Journal.Changed) {
      return Execute.CHANGED;
    }
    if (known instanceof Journal.OutputChanged) {
      return Execute.OUTPUT_CHANGED;
    }
    return Execute.NEW;
  }

  /**
   * Skip: the job succeeded before.
   *
   * @param why the skipped result's message
   */
  record AlreadyDone(String why) implements Admission {}

  /**
   * Deliver the kept image to the sinks that do not have it yet; nothing is sent to AnyCap.
   *
   * @param outputs the image files, under the output root
   * @param model the model that made them
   * @param receipts the sinks that already have it, by name
   */
  record Deliver(List<Path> outputs, String model, Map<String, SinkReceipt> receipts) implements Admission {}

  /**
   * Download the images of an answer the server gave an earlier run, and generate only if they
   * can no longer be fetched.
   *
   * @param answer the earlier answer
   */
  record Resume(GeneratedImages answer) implements Admission {}

  /** Generate, download and deliver; why the journal did not spare it. */
  enum Execute implements Admission {
    /** The journal knows nothing of the job (or it failed before). */
    NEW,
    /** The journal recorded the job for another request or output key. */
    CHANGED,
    /** The journal recorded it as succeeded, but its image is gone or changed. */
    OUTPUT_CHANGED
  }
}

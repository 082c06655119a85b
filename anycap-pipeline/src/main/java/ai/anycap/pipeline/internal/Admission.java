package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.SinkReceipt;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What becomes of a job, by what the journal knows of it: the one rule for a batch's entries, a
 * queue worker's jobs, {@code submit} and {@code estimate} alike. A job the journal records as
 * succeeded is {@link AlreadyDone} (skipped, nothing sent); one whose image an earlier run kept
 * but did not deliver everywhere is {@link Deliver}ed, not generated again; any other job is
 * {@link Execute}d.
 */
sealed interface Admission {

  /** Decides for {@code plan}, given the journal and the output root its files are under. */
  static Admission of(Journal journal, JobPlan plan, Path outputRoot) {
    String id = plan.job().id();
    if (journal.succeeded(id)) {
      return new AlreadyDone("succeeded in an earlier run (" + journal.name() + ")");
    }
    Journal.Undelivered kept = journal.undelivered(id);
    if (kept != null && kept.outputsExist(outputRoot)) {
      String model = kept.model().isEmpty() ? plan.request().model() : kept.model();
      return new Deliver(kept.paths(outputRoot), model, kept.receipts());
    }
    return Execute.INSTANCE;
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

  /** Generate, download and deliver. */
  enum Execute implements Admission {
    INSTANCE
  }
}

package ai.anycap.batch;

import static ai.anycap.batch.GalleryHtml.esc;
import static ai.anycap.batch.GalleryHtml.stat;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the contact sheet of a run into the output directory: {@code index.html} with the
 * totals, the failures, the jobs that did not run and the first page of cards, then as many more
 * pages of cards as the batch needs ({@link GalleryPages}). Every job of the source appears once,
 * in the source's order, with its thumbnail (relative links, so the folder can be zipped or served
 * as it is), the row's values, the prompt, the model and its status. Self-contained: no network,
 * styles and a small filter script inline ({@link GalleryHtml}).
 *
 * <p>Written from disk, not from memory: the source is read again in order (for each job's values
 * and prompt), and how each job ended comes from the manifest lines this run appended and from the
 * run's record of skipped jobs, found through an {@link OutcomeIndex} of a few bytes a job. So
 * writing the gallery of 100,000 jobs holds one page of cards at a time.
 */
final class Gallery {

  static final String FILE_NAME = GalleryPages.INDEX;
  /** Cards a page: enough to scroll through, few enough for a browser to open at once. */
  static final int PAGE_SIZE = 500;

  /**
   * What the gallery is written from.
   *
   * @param input the batch's checked input: its source, read again, and its templates, for the prompts
   * @param outputDir where the images are, and where the pages go
   * @param manifest the journal, or null
   * @param manifestFrom the manifest's size when the run opened it: this run's lines follow
   * @param skips the run's record of the jobs it skipped ({@link RunLedger#skips()})
   * @param simulated whether the images came from the simulator
   * @param report the run's report: the totals
   * @param finishedAt when the run ended
   */
  record Run(
      BatchInput input,
      Path outputDir,
      Path manifest,
      long manifestFrom,
      Path skips,
      boolean simulated,
      BatchReport report,
      Instant finishedAt) {}

  private Gallery() {}

  /** Writes the gallery, {@value #PAGE_SIZE} cards a page; returns the index page. */
  static Path write(Run run) {
    return write(run, PAGE_SIZE);
  }

  /** Writes the gallery with {@code pageSize} cards a page; returns the index page. */
  static Path write(Run run, int pageSize) {
    Path dir = run.outputDir().toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE_NAME) + ": " + e.getMessage(), e);
    }
    String source = run.input().options.csv.getFileName().toString();
    String title = "anycap-batch: " + source + (run.simulated() ? " (simulated)" : "");
    GalleryPages pages = new GalleryPages(dir, pageSize, title, run.simulated(), h -> pageHeader(h, run, source));
    Set<String> models = new LinkedHashSet<>(); // of the images made, else of the jobs: a few at most
    Set<String> planned = new LinkedHashSet<>();
    ReferenceThumbnails thumbnails =
        new ReferenceThumbnails(run.input().options.out, run.input().options.referenceDirectory());
    try (OutcomeIndex index = OutcomeIndex.build(run.manifest(), run.manifestFrom(), run.skips(), run.report().total());
        JobReader reader = run.input().source.open()) {
      while (true) {
        GalleryCard.Entry entry;
        try {
          Optional<ImageJob> next = reader.next();
          if (next.isEmpty()) {
            break;
          }
          ImageJob job = next.get();
          entry = new GalleryCard.Entry(job.id(), job, run.input().prompt(job), run.input().model(job),
              thumbnails.of(job.references()));
        } catch (InvalidJobException e) {
          // As the pipeline names an entry it cannot read: by its position.
          entry = new GalleryCard.Entry(e.position().toString(), null, null, null, List.of());
        }
        long n = pages.cards() + 1;
        JobOutcome outcome = index.take(entry.id());
        if (outcome != null && outcome.status() == JobOutcome.Status.SUCCEEDED && !outcome.model().isEmpty()
            && models.size() < 10) {
          models.add(outcome.model());
        }
        if (entry.model() != null && planned.size() < 10) {
          planned.add(entry.model());
        }
        pages.add(GalleryCard.of(n, pages.pageOf(n), entry, outcome, dir));
      }
    } catch (InvalidJobException e) {
      throw new UncheckedIOException("cannot read " + source + " again for the gallery: " + e.getMessage(),
          new IOException(e));
    }
    return pages.finish(h -> totals(h, run, dir, models.isEmpty() ? planned : models));
  }

  /** What every page starts with: the source, and the banner of a simulated run. */
  private static void pageHeader(StringBuilder h, Run run, String source) {
    h.append("<header>\n<h1>").append(esc(source));
    String template = run.input().options.template;
    if (template != null) {
      h.append(" <span class=\"muted\">with template</span> ").append(esc(template));
    }
    h.append("</h1>\n");
    if (run.simulated()) {
      h.append("<p class=\"banner\" id=\"simulated\"><strong>Simulated run.</strong> These images come from the AnyCap")
          .append(" simulator built into anycap-batch, not from AnyCap: no key was used, nothing was sent over the")
          .append(" network and no credits were spent. Set ANYCAP_API_KEY and drop --simulate for real images.</p>\n");
    }
    h.append("</header>\n");
  }

  /** The index's totals: the report's counts, money and time, and the manifest. */
  private static void totals(StringBuilder h, Run run, Path dir, Set<String> models) {
    BatchReport r = run.report();
    boolean simulated = run.simulated();
    h.append("<section class=\"summary\">\n<p class=\"muted\">").append(esc(outcome(r))).append(" · finished ")
        .append(esc(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT)
            .format(run.finishedAt().atZone(ZoneId.systemDefault()))))
        .append(" · output in ").append(esc(dir.toString())).append("</p>\n");
    if (r.haltReason().isPresent()) {
      h.append("<p class=\"banner bad\"><strong>Batch stopped:</strong> ").append(esc(r.haltReason().get())).append("</p>\n");
    }
    h.append("<dl class=\"totals\">\n");
    stat(h, "jobs", Long.toString(r.total()), "");
    stat(h, "generated", Long.toString(r.succeeded()), "ok");
    stat(h, "failed", Long.toString(r.failed()), r.failed() > 0 ? "bad" : "");
    stat(h, "skipped", Long.toString(r.skipped()), "");
    stat(h, simulated ? "credits (simulated)" : "credits", Money.plain(r.credits()), "");
    if (r.possiblyBilled().attempts() > 0) {
      stat(h, "possibly billed", r.possiblyBilled().attempts() + " attempt(s), up to "
          + Money.plain(r.possiblyBilled().credits()) + " credits", "bad");
    }
    stat(h, simulated ? "cost (simulated)" : "est. cost", Money.usd(r.estimatedCostUsd()), "");
    stat(h, "wall time", String.format(Locale.ROOT, "%.1f s", r.wallTime().toMillis() / 1000.0), "");
    stat(h, "images / s", String.format(Locale.ROOT, "%.2f", r.imagesPerSecond()), "");
    stat(h, "retries", Long.toString(r.retries()), "");
    stat(h, models.size() == 1 ? "model" : "models", models.isEmpty() ? "none" : String.join(", ", models), "");
    h.append("</dl>\n");
    Path manifest = run.manifest();
    if (manifest != null && Files.exists(manifest)) {
      String link = GalleryHtml.relativeLink(dir, manifest);
      h.append("<p class=\"muted\">Manifest: ");
      if (link != null) {
        h.append("<a href=\"").append(esc(link)).append("\">").append(esc(link)).append("</a>");
      } else {
        h.append(esc(manifest.toString()));
      }
      h.append(" (one JSON line per finished job; a rerun skips what succeeded)</p>\n");
    }
    h.append("</section>\n");
  }

  private static String outcome(BatchReport r) {
    if (r.cancelled()) {
      return "Batch cancelled";
    }
    if (r.haltReason().isPresent()) {
      return "Batch halted";
    }
    return r.allSucceeded() ? "All jobs succeeded" : r.failed() > 0 ? "Finished with failures" : "Finished, some jobs skipped";
  }
}

package ai.anycap.batch;

import static ai.anycap.batch.GalleryHtml.esc;

import ai.anycap.pipeline.ImageJob;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One job's card in the gallery: its thumbnail (or its error code where the image would be), id,
 * status badge, the CSV row's values, the prompt, and how it ran. Built from the source entry and
 * what this run recorded of it ({@link JobOutcome}); rendered by {@link #render}, one small method
 * per part, so that a new part (a reference image, say) is one more call.
 */
final class GalleryCard {

  /**
   * A job as the source gives it: what the card shows besides its outcome.
   *
   * @param id the job id, or the entry's position when it could not be read
   * @param job the job, or null when the entry could not be read
   * @param prompt the prompt it is sent with, or null when it cannot be made
   * @param model the model it would use, or null
   * @param references thumbnails of the job's local reference images, under the output directory
   */
  record Entry(String id, ImageJob job, String prompt, String model, List<Path> references) {}

  final Entry entry;
  /** The card's element id, unique across the pages: {@code job-<n>} for the n-th entry. */
  final String anchor;
  /** The page file the card is on, for links from the index. */
  final String page;
  String status;
  String badge;
  String detail = "";
  String image;
  List<String> references = List.of();
  String meta = "";
  String errorCode;
  int attempts;

  private GalleryCard(Entry entry, long n, String page) {
    this.entry = entry;
    this.anchor = "job-" + n;
    this.page = page;
  }

  /** The card of the {@code n}-th entry (from 1), on {@code page}, with images linked relative to {@code dir}. */
  static GalleryCard of(long n, String page, Entry entry, JobOutcome o, Path dir) {
    GalleryCard c = new GalleryCard(entry, n, page);
    c.references = entry.references().stream().map(p -> GalleryHtml.relativeLink(dir, p)).filter(l -> l != null).toList();
    String model = o != null && !o.model().isEmpty() ? o.model() : entry.model();
    JobOutcome.Status status = o == null ? JobOutcome.Status.NOT_RECORDED : o.status();
    switch (status) {
      case SUCCEEDED -> {
        c.status = "succeeded";
        c.badge = o.duplicateOf() != null ? "copied" : "generated";
        c.image = image(dir, o);
        List<String> meta = new ArrayList<>();
        meta.add(model);
        meta.add(o.duplicateOf() != null ? "same request as " + o.duplicateOf() : attempts(o.attempts()));
        meta.add(secs(o.durationMillis()));
        meta.add(Money.plain(o.credits()) + (o.credits().compareTo(BigDecimal.ONE) == 0 ? " credit" : " credits"));
        if (o.possiblyBilled() > 0) {
          meta.add(o.possiblyBilled() + " attempt(s) possibly billed");
        }
        o.sinks().forEach((sink, location) -> meta.add(sink + ": " + location));
        c.meta = String.join(" · ", meta);
      }
      case FAILED -> {
        c.status = "failed";
        c.badge = "failed";
        c.errorCode = o.errorCode() != null ? o.errorCode() : "FAILED";
        c.detail = ErrorText.withoutCode(o.errorCode(), o.message());
        c.attempts = o.attempts();
        c.image = image(dir, o);
        c.meta = (model == null ? "" : model + " · ") + attempts(o.attempts()) + " · " + secs(o.durationMillis())
            + (o.credits().signum() > 0 ? " · " + Money.plain(o.credits()) + " credits spent" : "");
      }
      case ANSWERED -> {
        c.status = "not-run";
        c.badge = "not downloaded";
        c.detail = "the API answered (and billed it), but the run ended before the download;"
            + " run the same command again to download it without paying again";
        c.meta = model == null ? "" : model;
      }
      case SKIPPED -> skipped(c, o, model, dir);
      case NOT_RECORDED -> {
        c.status = "not-run";
        c.badge = "not run";
        c.detail = "this run left no record of the job: it ended before the job ran, or its manifest line could"
            + " not be written";
        c.meta = model == null ? "" : model;
      }
    }
    return c;
  }

  private static void skipped(GalleryCard c, JobOutcome o, String model, Path dir) {
    if (o.skipReason() == ai.anycap.pipeline.SkipReason.ALREADY_DONE) {
      c.status = "done-earlier";
      c.badge = "done earlier";
      c.image = c.entry.job() == null ? null : GalleryHtml.relativeLink(dir, dir.resolve(c.entry.job().outputKey()));
      c.meta = (model == null ? "" : model + " · ") + "generated in an earlier run";
      return;
    }
    c.status = "skipped";
    c.badge = switch (o.skipReason()) {
      case BUDGET -> "over budget";
      case HALTED -> "halted";
      case CANCELLED -> "cancelled";
      case INVALID -> "invalid row";
      case ALREADY_DONE -> "done earlier";
    };
    c.detail = o.message() == null ? "" : o.message();
    c.meta = model == null ? "" : model;
  }

  private static String image(Path dir, JobOutcome o) {
    return o.outputs().isEmpty() ? null : GalleryHtml.relativeLink(dir, dir.resolve(o.outputs().get(0)));
  }

  /** Whether the card belongs in the index's list of jobs that did not run. */
  boolean didNotRun() {
    return status.equals("skipped") || status.equals("not-run");
  }

  /** The status the filter buttons select by. */
  String filterStatus() {
    return status.equals("not-run") ? "skipped" : status;
  }

  /** Writes the card. */
  void render(StringBuilder h) {
    h.append("<figure class=\"job ").append(status).append("\" id=\"").append(anchor).append("\" data-job-id=\"")
        .append(esc(entry.id())).append("\" data-status=\"").append(filterStatus()).append("\">\n");
    thumbnail(h);
    references(h);
    h.append("<figcaption>\n");
    heading(h);
    values(h);
    prompt(h);
    if (!meta.isEmpty()) {
      h.append("<p class=\"meta\">").append(esc(meta)).append("</p>\n");
    }
    if (status.equals("failed") || didNotRun()) {
      h.append("<p class=\"error\">").append(esc(detail)).append("</p>\n");
    }
    h.append("</figcaption>\n</figure>\n");
  }

  private void thumbnail(StringBuilder h) {
    if (image != null) {
      h.append("<a class=\"thumb\" href=\"").append(esc(image)).append("\"><img src=\"").append(esc(image))
          .append("\" alt=\"").append(esc(entry.prompt() != null ? entry.prompt() : entry.id()))
          .append("\" loading=\"lazy\"/></a>\n");
    } else {
      h.append("<div class=\"thumb empty\"><span>").append(esc(errorCode != null ? errorCode : badge))
          .append("</span></div>\n");
    }
  }

  private void references(StringBuilder h) {
    if (references.isEmpty()) {
      return;
    }
    h.append("<div class=\"refs\">");
    for (String ref : references) {
      h.append("<a class=\"ref\" href=\"").append(esc(ref)).append("\" title=\"reference image\"><img src=\"")
          .append(esc(ref)).append("\" alt=\"reference image\" loading=\"lazy\"/></a>");
    }
    h.append("</div>\n");
  }

  private void heading(StringBuilder h) {
    h.append("<div class=\"head\"><span class=\"id\">").append(esc(entry.id())).append("</span> <span class=\"badge ")
        .append(status).append("\">").append(esc(badge)).append("</span></div>\n");
  }

  private void values(StringBuilder h) {
    ImageJob job = entry.job();
    if (job == null || job.values().isEmpty()) {
      return;
    }
    h.append("<ul class=\"values\">");
    job.values().forEach((k, v) -> h.append("<li><span class=\"k\">").append(esc(k)).append("</span> ")
        .append(esc(v)).append("</li>"));
    h.append("</ul>\n");
  }

  private void prompt(StringBuilder h) {
    if (entry.prompt() != null) {
      h.append("<p class=\"prompt\" title=\"").append(esc(entry.prompt())).append("\">").append(esc(entry.prompt()))
          .append("</p>\n");
    }
  }

  private static String attempts(int n) {
    return n + (n == 1 ? " attempt" : " attempts");
  }

  private static String secs(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** Cards by filter status, for the filter buttons of one page. */
  static final class Counts {
    private final Map<String, Long> byStatus = new HashMap<>();
    private long all;

    void add(GalleryCard c) {
      all++;
      byStatus.merge(c.filterStatus(), 1L, Long::sum);
    }

    long all() {
      return all;
    }

    long of(String status) {
      return byStatus.getOrDefault(status, 0L);
    }
  }
}

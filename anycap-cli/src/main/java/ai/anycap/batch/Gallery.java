package ai.anycap.batch;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SkipReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code index.html} into the output directory: a contact sheet of the batch. A grid of
 * thumbnails (relative links, so the folder can be zipped or served as it is), each with its job
 * id, the row's values, the prompt, the model and the status, and small thumbnails of its
 * reference images beside it ({@link ReferenceThumbnails}); the failures with their errors; the
 * totals. One self-contained file, no network: styles and a small filter script are inline.
 *
 * <p>The markup is well-formed XML as well as HTML, so that tests (and other tools) can read it
 * with any XML parser. Every job appears exactly once, as one {@code <figure class="job">} with a
 * {@code data-job-id}.
 */
final class Gallery {

  static final String FILE_NAME = "index.html";

  /**
   * One job's line in the gallery.
   *
   * @param references thumbnails of the job's local reference images, under the output directory
   */
  record Entry(String id, ImageJob job, JobResult result, String prompt, String model, List<Path> references) {}

  /** Everything the page shows. */
  record Page(
      String source,
      String template,
      Path outputDir,
      Path manifest,
      boolean simulated,
      BatchReport report,
      List<Entry> entries,
      Instant finishedAt) {}

  private Gallery() {}

  /** The gallery's entries: every job of the input in file order, then results for rows that could not be read. */
  static List<Entry> entries(BatchInput input, Map<String, JobResult> results) {
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    ReferenceThumbnails thumbnails = new ReferenceThumbnails(input.options.out, input.options.referenceDirectory());
    for (ImageJob job : input.jobs.values()) {
      seen.add(job.id());
      List<Path> references = new ArrayList<>();
      for (String reference : job.references()) {
        Path thumb = thumbnails.of(reference);
        if (thumb != null) {
          references.add(thumb);
        }
      }
      entries.add(new Entry(job.id(), job, results.get(job.id()), input.prompt(job), input.model(job), references));
    }
    for (JobResult r : results.values()) {
      if (!seen.contains(r.jobId())) {
        entries.add(new Entry(r.jobId(), null, r, null, null, List.of()));
      }
    }
    return entries;
  }

  /** Writes the page, replacing an earlier one atomically; returns its path. */
  static Path write(Page page) {
    Path dir = page.outputDir().toAbsolutePath().normalize();
    Path file = dir.resolve(FILE_NAME);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".index-", ".html.tmp");
      try {
        Files.writeString(tmp, render(page, dir), StandardCharsets.UTF_8);
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static String render(Page page, Path dir) {
    BatchReport r = page.report();
    List<Card> cards = new ArrayList<>();
    int n = 0;
    for (Entry e : page.entries()) {
      cards.add(card(++n, e, dir));
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Card c : cards) {
      counts.merge(c.status, 1, Integer::sum);
    }
    Set<String> models = new LinkedHashSet<>();
    for (Entry e : page.entries()) {
      if (e.result() instanceof JobResult.Succeeded s && !s.model().isEmpty()) {
        models.add(s.model());
      }
    }
    if (models.isEmpty()) {
      page.entries().stream().map(Entry::model).filter(m -> m != null).forEach(models::add);
    }

    StringBuilder h = new StringBuilder(16_384 + 1_024 * cards.size());
    String title = "anycap-batch: " + page.source() + (page.simulated() ? " (simulated)" : "");
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<meta name=\"generator\" content=\"anycap-batch\"/>\n")
        .append("<title>").append(esc(title)).append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");

    // Header and totals.
    h.append("<header>\n<h1>").append(esc(page.source()));
    if (page.template() != null) {
      h.append(" <span class=\"muted\">with template</span> ").append(esc(page.template()));
    }
    h.append("</h1>\n<p class=\"muted\">").append(esc(outcome(r))).append(" · finished ")
        .append(esc(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT)
            .format(page.finishedAt().atZone(ZoneId.systemDefault()))))
        .append(" · output in ").append(esc(dir.toString())).append("</p>\n");
    if (page.simulated()) {
      h.append("<p class=\"banner\" id=\"simulated\"><strong>Simulated run.</strong> These images come from the AnyCap")
          .append(" simulator built into anycap-batch, not from AnyCap: no key was used, nothing was sent over the")
          .append(" network and no credits were spent. Set ANYCAP_API_KEY and drop --simulate for real images.</p>\n");
    }
    if (r.haltReason().isPresent()) {
      h.append("<p class=\"banner bad\"><strong>Batch stopped:</strong> ").append(esc(r.haltReason().get())).append("</p>\n");
    }
    h.append("<dl class=\"totals\">\n");
    stat(h, "jobs", Long.toString(r.total()), "");
    stat(h, "generated", Long.toString(r.succeeded()), "ok");
    stat(h, "failed", Long.toString(r.failed()), r.failed() > 0 ? "bad" : "");
    stat(h, "skipped", Long.toString(r.skipped()), "");
    stat(h, page.simulated() ? "credits (simulated)" : "credits", plain(r.credits()), "");
    if (r.possiblyBilled().attempts() > 0) {
      stat(h, "possibly billed", r.possiblyBilled().attempts() + " attempt(s), up to "
          + plain(r.possiblyBilled().credits()) + " credits", "bad");
    }
    stat(h, page.simulated() ? "cost (simulated)" : "est. cost", "$" + plain(r.estimatedCostUsd()), "");
    stat(h, "wall time", String.format(Locale.ROOT, "%.1f s", r.wallTime().toMillis() / 1000.0), "");
    stat(h, "images / s", String.format(Locale.ROOT, "%.2f", r.imagesPerSecond()), "");
    stat(h, "retries", Long.toString(r.retries()), "");
    stat(h, models.size() == 1 ? "model" : "models", models.isEmpty() ? "none" : String.join(", ", models), "");
    h.append("</dl>\n");
    String manifestLink = relativeLink(dir, page.manifest());
    if (page.manifest() != null && Files.exists(page.manifest())) {
      h.append("<p class=\"muted\">Manifest: ");
      if (manifestLink != null) {
        h.append("<a href=\"").append(esc(manifestLink)).append("\">").append(esc(manifestLink)).append("</a>");
      } else {
        h.append(esc(page.manifest().toString()));
      }
      h.append(" (one JSON line per finished job; a rerun skips what succeeded)</p>\n");
    }
    h.append("</header>\n");

    // Failures and skips, where a person looks first.
    List<Card> failed = cards.stream().filter(c -> c.status.equals("failed")).toList();
    if (!failed.isEmpty()) {
      h.append("<section class=\"problems\" id=\"failures\">\n<h2>").append(failed.size())
          .append(failed.size() == 1 ? " job failed" : " jobs failed").append("</h2>\n<table>\n")
          .append("<thead><tr><th>job</th><th>error</th><th>message</th><th>attempts</th></tr></thead>\n<tbody>\n");
      for (Card c : failed) {
        JobResult.Failed f = (JobResult.Failed) c.entry.result();
        h.append("<tr class=\"failure\" data-job-id=\"").append(esc(c.entry.id())).append("\"><td><a href=\"#").append(c.anchor)
            .append("\">").append(esc(c.entry.id())).append("</a></td><td><code>").append(esc(f.errorCode()))
            .append("</code></td><td class=\"error\">").append(esc(f.message())).append("</td><td>").append(f.attempts())
            .append("</td></tr>\n");
      }
      h.append("</tbody>\n</table>\n</section>\n");
    }
    List<Card> skipped = cards.stream().filter(c -> c.status.equals("skipped") || c.status.equals("not-run")).toList();
    if (!skipped.isEmpty()) {
      h.append("<section class=\"problems skips\" id=\"skipped\">\n<h2>").append(skipped.size())
          .append(skipped.size() == 1 ? " job did not run" : " jobs did not run").append("</h2>\n<table>\n")
          .append("<thead><tr><th>job</th><th>why</th><th>details</th></tr></thead>\n<tbody>\n");
      for (Card c : skipped) {
        h.append("<tr><td><a href=\"#").append(c.anchor).append("\">").append(esc(c.entry.id())).append("</a></td><td>")
            .append(esc(c.badge)).append("</td><td>").append(esc(c.detail)).append("</td></tr>\n");
      }
      h.append("</tbody>\n</table>\n</section>\n");
    }

    // Filters and the grid.
    h.append("<nav class=\"filters\">\n");
    filterButton(h, "all", "All", cards.size(), true);
    filterButton(h, "succeeded", "Generated", counts.getOrDefault("succeeded", 0), false);
    filterButton(h, "done-earlier", "Done earlier", counts.getOrDefault("done-earlier", 0), false);
    filterButton(h, "failed", "Failed", counts.getOrDefault("failed", 0), false);
    filterButton(h, "skipped", "Skipped", counts.getOrDefault("skipped", 0) + counts.getOrDefault("not-run", 0), false);
    h.append("<input type=\"search\" id=\"search\" placeholder=\"Search id, prompt, values\" aria-label=\"Search\"/>\n</nav>\n");
    h.append("<main class=\"grid\">\n");
    for (Card c : cards) {
      c.render(h);
    }
    h.append("</main>\n<footer class=\"muted\">Made by anycap-batch")
        .append(page.simulated() ? " on the AnyCap simulator. Simulated images." : " with AnyCap.")
        .append("</footer>\n<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
    return h.toString();
  }

  /** One figure of the grid. */
  private static final class Card {
    final Entry entry;
    final String anchor;
    String status;
    String badge;
    String detail = "";
    String image;
    List<String> references = List.of();
    String meta = "";
    String errorCode;

    Card(Entry entry, String anchor) {
      this.entry = entry;
      this.anchor = anchor;
    }

    void render(StringBuilder h) {
      h.append("<figure class=\"job ").append(status).append("\" id=\"").append(anchor).append("\" data-job-id=\"")
          .append(esc(entry.id())).append("\" data-status=\"").append(status.equals("not-run") ? "skipped" : status)
          .append("\">\n");
      if (image != null) {
        h.append("<a class=\"thumb\" href=\"").append(esc(image)).append("\"><img src=\"").append(esc(image))
            .append("\" alt=\"").append(esc(entry.prompt() != null ? entry.prompt() : entry.id()))
            .append("\" loading=\"lazy\"/></a>\n");
      } else {
        h.append("<div class=\"thumb empty\"><span>")
            .append(esc(errorCode != null ? errorCode : badge)).append("</span></div>\n");
      }
      if (!references.isEmpty()) {
        h.append("<div class=\"refs\">");
        for (String ref : references) {
          h.append("<a class=\"ref\" href=\"").append(esc(ref)).append("\" title=\"reference image\"><img src=\"")
              .append(esc(ref)).append("\" alt=\"reference image\" loading=\"lazy\"/></a>");
        }
        h.append("</div>\n");
      }
      h.append("<figcaption>\n<div class=\"head\"><span class=\"id\">").append(esc(entry.id()))
          .append("</span> <span class=\"badge ").append(status).append("\">").append(esc(badge)).append("</span></div>\n");
      ImageJob job = entry.job();
      if (job != null && !job.values().isEmpty()) {
        h.append("<ul class=\"values\">");
        job.values().forEach((k, v) -> h.append("<li><span class=\"k\">").append(esc(k)).append("</span> ")
            .append(esc(v)).append("</li>"));
        h.append("</ul>\n");
      }
      if (entry.prompt() != null) {
        h.append("<p class=\"prompt\" title=\"").append(esc(entry.prompt())).append("\">").append(esc(entry.prompt()))
            .append("</p>\n");
      }
      if (!meta.isEmpty()) {
        h.append("<p class=\"meta\">").append(esc(meta)).append("</p>\n");
      }
      if (status.equals("failed") || status.equals("skipped") || status.equals("not-run")) {
        h.append("<p class=\"error\">").append(esc(detail)).append("</p>\n");
      }
      h.append("</figcaption>\n</figure>\n");
    }
  }

  private static Card card(int n, Entry e, Path dir) {
    Card c = new Card(e, "job-" + n);
    c.references = e.references().stream().map(p -> relativeLink(dir, p)).filter(l -> l != null).toList();
    JobResult r = e.result();
    String model = e.model();
    if (r instanceof JobResult.Succeeded s) {
      c.status = "succeeded";
      c.badge = s.duplicateOf() != null ? "copied" : "generated";
      c.image = s.outputs().isEmpty() ? null : relativeLink(dir, s.outputs().get(0));
      model = s.model().isEmpty() ? model : s.model();
      List<String> meta = new ArrayList<>();
      meta.add(model);
      if (s.duplicateOf() != null) {
        meta.add("same request as " + s.duplicateOf());
      } else {
        meta.add(s.attempts() + (s.attempts() == 1 ? " attempt" : " attempts"));
      }
      meta.add(secs(s.duration()));
      meta.add(plain(s.credits()) + (s.credits().compareTo(BigDecimal.ONE) == 0 ? " credit" : " credits"));
      s.receipts().forEach(rc -> meta.add(rc.sink() + ": " + rc.location()));
      c.meta = String.join(" · ", meta);
    } else if (r instanceof JobResult.Failed f) {
      c.status = "failed";
      c.badge = "failed";
      c.errorCode = f.errorCode();
      c.detail = f.errorCode() + ": " + f.message();
      c.image = f.outputs().isEmpty() ? null : relativeLink(dir, f.outputs().get(0));
      c.meta = (model == null ? "" : model + " · ") + f.attempts() + (f.attempts() == 1 ? " attempt" : " attempts")
          + " · " + secs(f.duration()) + (f.credits().signum() > 0 ? " · " + plain(f.credits()) + " credits spent" : "");
    } else if (r instanceof JobResult.Skipped k && k.reason() == SkipReason.ALREADY_DONE) {
      c.status = "done-earlier";
      c.badge = "done earlier";
      c.image = e.job() == null ? null : relativeLink(dir, dir.resolve(e.job().outputKey()));
      c.meta = (model == null ? "" : model + " · ") + "generated in an earlier run";
    } else if (r instanceof JobResult.Skipped k) {
      c.status = "skipped";
      c.badge = switch (k.reason()) {
        case BUDGET -> "over budget";
        case HALTED -> "halted";
        case CANCELLED -> "cancelled";
        case INVALID -> "invalid row";
        case ALREADY_DONE -> "done earlier";
      };
      c.detail = k.message();
      c.meta = model == null ? k.position().toString() : model;
    } else {
      c.status = "not-run";
      c.badge = "not run";
      c.detail = "the batch ended before this job ran";
      c.meta = model == null ? "" : model;
    }
    return c;
  }

  private static void stat(StringBuilder h, String name, String value, String cls) {
    h.append("<div class=\"stat ").append(cls).append("\"><dt>").append(esc(name)).append("</dt><dd>")
        .append(esc(value)).append("</dd></div>\n");
  }

  private static void filterButton(StringBuilder h, String filter, String label, int count, boolean pressed) {
    h.append("<button type=\"button\" data-filter=\"").append(filter).append("\" aria-pressed=\"").append(pressed)
        .append("\"").append(count == 0 && !filter.equals("all") ? " disabled=\"disabled\"" : "").append(">")
        .append(esc(label)).append(" <span class=\"count\">").append(count).append("</span></button>\n");
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

  /** A link from the gallery to a file under the output directory, or null when there is no such file. */
  static String relativeLink(Path dir, Path file) {
    if (file == null) {
      return null;
    }
    Path f = file.toAbsolutePath().normalize();
    if (!f.startsWith(dir) || !Files.isRegularFile(f)) {
      return null;
    }
    List<String> segments = new ArrayList<>();
    for (Path p : dir.relativize(f)) {
      segments.add(encodeSegment(p.toString()));
    }
    return String.join("/", segments);
  }

  /** Percent-encodes a path segment (RFC 3986 unreserved characters stay as they are). */
  static String encodeSegment(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  /** Escapes text for HTML (and XML) content and attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // Control characters are not allowed in XML and mean nothing in a caption.
          if (c < 0x20 && c != '\n' && c != '\t') {
            b.append(' ');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static String plain(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  private static String secs(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  // No '&' or '<' in the style and the script: the page must stay well-formed XML.
  private static final String CSS = """

      :root { --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
        --ok: #157f3b; --ok-bg: #e3f5e9; --bad: #b42318; --bad-bg: #fdecea; --info: #1d5fbf; --info-bg: #e6effc;
        --skip: #6b7280; --skip-bg: #eef0f3; --warn-bg: #fff4d6; --warn: #8a5a00; }
      @media (prefers-color-scheme: dark) {
        :root { --bg: #12151b; --card: #1b1f27; --ink: #e7e9ee; --muted: #98a2b3; --line: #2a303b;
          --ok: #5fd38a; --ok-bg: #173524; --bad: #ff8a80; --bad-bg: #3a1c1c; --info: #8ab4ff; --info-bg: #1a2a44;
          --skip: #a0a7b4; --skip-bg: #262b34; --warn-bg: #3a3018; --warn: #ffd37a; }
      }
      * { box-sizing: border-box; }
      body { margin: 0; padding: 24px clamp(12px, 3vw, 40px) 48px; background: var(--bg); color: var(--ink);
        font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
      h1 { font-size: 22px; margin: 0 0 4px; }
      h2 { font-size: 16px; margin: 0 0 8px; }
      a { color: var(--info); }
      .muted { color: var(--muted); font-weight: normal; }
      .banner { background: var(--warn-bg); color: var(--warn); border-radius: 8px; padding: 10px 14px; margin: 14px 0; }
      .banner.bad { background: var(--bad-bg); color: var(--bad); }
      .totals { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 8px; }
      .stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 8px 14px; min-width: 96px; }
      .stat dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
      .stat dd { margin: 2px 0 0; font-size: 20px; font-weight: 600; }
      .stat.ok dd { color: var(--ok); }
      .stat.bad dd { color: var(--bad); }
      .problems { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--bad);
        border-radius: 10px; padding: 12px 16px; margin: 16px 0; overflow-x: auto; }
      .problems.skips { border-left-color: var(--skip); }
      table { border-collapse: collapse; width: 100%; }
      th, td { text-align: left; padding: 6px 10px 6px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
      th { color: var(--muted); font-weight: 500; font-size: 12px; }
      td.error { color: var(--bad); }
      code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
      .filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 20px 0 12px;
        position: sticky; top: 0; background: var(--bg); padding: 8px 0; z-index: 1; }
      .filters button { border: 1px solid var(--line); background: var(--card); color: var(--ink); border-radius: 999px;
        padding: 5px 12px; cursor: pointer; font: inherit; }
      .filters button[aria-pressed="true"] { background: var(--ink); color: var(--bg); }
      .filters button:disabled { opacity: .45; cursor: default; }
      .filters .count { opacity: .7; }
      #search { margin-left: auto; min-width: 220px; padding: 6px 10px; border-radius: 8px; border: 1px solid var(--line);
        background: var(--card); color: var(--ink); font: inherit; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 16px; }
      .job { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 12px; overflow: hidden;
        display: flex; flex-direction: column; position: relative; }
      .refs { position: absolute; top: 8px; left: 8px; display: flex; gap: 4px; }
      .ref img { width: 56px; height: 56px; object-fit: cover; display: block; border: 2px solid var(--card);
        border-radius: 6px; box-shadow: 0 1px 4px rgba(0, 0, 0, .35); }
      .job[hidden] { display: none; }
      .job:target { outline: 3px solid var(--info); }
      .job.failed { border-color: var(--bad); }
      .thumb { display: block; aspect-ratio: 1 / 1; background: repeating-conic-gradient(var(--line) 0 25%, transparent 0 50%) 50% / 20px 20px; }
      .thumb img { width: 100%; height: 100%; object-fit: contain; display: block; }
      .thumb.empty { display: flex; align-items: center; justify-content: center; background: var(--skip-bg); color: var(--skip);
        font: 600 13px ui-monospace, Menlo, Consolas, monospace; padding: 12px; text-align: center; word-break: break-all; }
      .job.failed .thumb.empty { background: var(--bad-bg); color: var(--bad); }
      figcaption { padding: 10px 12px 12px; display: flex; flex-direction: column; gap: 6px; }
      .head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
      .id { font: 600 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
      .badge { font-size: 11px; font-weight: 600; border-radius: 999px; padding: 1px 8px; white-space: nowrap; }
      .badge.succeeded { background: var(--ok-bg); color: var(--ok); }
      .badge.done-earlier { background: var(--info-bg); color: var(--info); }
      .badge.failed { background: var(--bad-bg); color: var(--bad); }
      .badge.skipped, .badge.not-run { background: var(--skip-bg); color: var(--skip); }
      .values { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
      .values li { background: var(--bg); border-radius: 6px; padding: 1px 6px; font-size: 12px; }
      .values .k { color: var(--muted); }
      .prompt { margin: 0; color: var(--muted); font-size: 12px; display: -webkit-box; -webkit-line-clamp: 4;
        -webkit-box-orient: vertical; overflow: hidden; }
      .meta { margin: 0; font-size: 12px; }
      .error { margin: 0; color: var(--bad); font-size: 12px; word-break: break-word; }
      footer { margin-top: 32px; font-size: 12px; }
      """;

  private static final String SCRIPT = """

      (function () {
        var cards = Array.prototype.slice.call(document.querySelectorAll('figure.job'));
        var buttons = Array.prototype.slice.call(document.querySelectorAll('button[data-filter]'));
        var search = document.getElementById('search');
        var filter = 'all';
        function apply() {
          var q = search.value.trim().toLowerCase();
          cards.forEach(function (c) {
            var statusOk = filter === 'all' ? true : c.getAttribute('data-status') === filter;
            var textOk = q === '' ? true : c.textContent.toLowerCase().indexOf(q) !== -1;
            c.hidden = statusOk ? !textOk : true;
          });
          buttons.forEach(function (b) {
            b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === filter));
          });
        }
        buttons.forEach(function (b) {
          b.addEventListener('click', function () { filter = b.getAttribute('data-filter'); apply(); });
        });
        search.addEventListener('input', apply);
      })();
      """;
}

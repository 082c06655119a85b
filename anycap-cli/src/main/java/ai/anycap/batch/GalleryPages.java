package ai.anycap.batch;

import static ai.anycap.batch.GalleryHtml.esc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The gallery's files, written as the cards come, one page at a time: the first page of cards
 * goes on {@code index.html} (with the totals, written last), the next ones on {@code
 * gallery-2.html}, {@code gallery-3.html}, ...; the failures and the jobs that did not run are
 * listed in tables whose first page is on the index and the rest on {@code failures-2.html} ...
 * and {@code skipped-2.html} .... At most a page of cards and a page of each table is held at a
 * time, so memory does not grow with the batch. Each file is replaced atomically; pages an
 * earlier, larger run left behind are removed.
 */
final class GalleryPages {

  static final String INDEX = "index.html";
  private static final String GALLERY = "gallery";
  static final String FAILURES = "failures";
  static final String SKIPPED = "skipped";
  private static final Pattern PAGE_FILE = Pattern.compile("(gallery|failures|skipped)-(\\d+)\\.html");

  private final Path dir;
  private final int pageSize;
  private final Consumer<StringBuilder> pageHeader;
  private final String title;
  private final boolean simulated;

  private long cards;
  private int cardPages;
  private StringBuilder firstPage;
  private GalleryCard.Counts firstCounts;
  private StringBuilder page = new StringBuilder();
  private final char[] chunk = new char[8192];
  private GalleryCard.Counts counts = new GalleryCard.Counts();
  final Table failures;
  final Table skipped;

  /**
   * @param pageHeader writes what every page starts with (the source's name, the simulated banner)
   */
  GalleryPages(Path dir, int pageSize, String title, boolean simulated, Consumer<StringBuilder> pageHeader) {
    this.dir = dir;
    this.pageSize = pageSize;
    this.title = title;
    this.simulated = simulated;
    this.pageHeader = pageHeader;
    this.failures = new Table(FAILURES, "job failed", "jobs failed", "problems",
        "<th>job</th><th>error</th><th>message</th><th>attempts</th>");
    this.skipped = new Table(SKIPPED, "job did not run", "jobs did not run", "problems skips",
        "<th>job</th><th>why</th><th>details</th>");
  }

  /** The file the {@code n}-th card (from 1) goes on. */
  String pageOf(long n) {
    long p = (n - 1) / pageSize + 1;
    return p == 1 ? INDEX : GALLERY + "-" + p + ".html";
  }

  /** Adds the next card; it must be the {@code cards() + 1}-th. */
  void add(GalleryCard card) {
    if (cards > 0 && cards % pageSize == 0) {
      flushCards(true);
    }
    cards++;
    card.render(page);
    counts.add(card);
    if (card.status.equals("failed")) {
      failures.add(card.entry.id(), card.page, card.anchor, "<td><code>" + esc(card.errorCode) + "</code></td><td class=\"error\">"
          + esc(card.detail) + "</td><td>" + card.attempts + "</td>", "failure");
    } else if (card.didNotRun()) {
      skipped.add(card.entry.id(), card.page, card.anchor, "<td>" + esc(card.badge) + "</td><td>" + esc(card.detail) + "</td>",
          "");
    }
  }

  /** Cards added so far. */
  long cards() {
    return cards;
  }

  /**
   * Writes the last pages, then {@code index.html}: {@code top} (the totals), the first page of each
   * table, links to every page, and the first page of cards.
   *
   * @return the index file
   */
  Path finish(Consumer<StringBuilder> top) {
    flushCards(false);
    failures.flush(false);
    skipped.flush(false);
    StringBuilder h = new StringBuilder(64 * 1024);
    GalleryHtml.head(h, title);
    pageHeader.accept(h);
    top.accept(h);
    failures.renderFirst(h);
    skipped.renderFirst(h);
    pager(h, 1);
    GalleryHtml.filters(h, firstCounts);
    h.append("<main class=\"grid\">\n");
    StringBuilder end = new StringBuilder("</main>\n");
    pager(end, 1);
    GalleryHtml.end(end, simulated);
    Path index = write(INDEX, h, firstPage, end);
    removeStalePages();
    return index;
  }

  private void flushCards(boolean more) {
    cardPages++;
    if (cardPages == 1) {
      firstPage = page;
      firstCounts = counts;
    } else {
      StringBuilder h = new StringBuilder(24 * 1024);
      GalleryHtml.head(h, title + " (page " + cardPages + ")");
      pageHeader.accept(h);
      h.append("<p class=\"muted\">Page ").append(cardPages).append(" of the cards; the totals and every failure are on ")
          .append("<a href=\"").append(INDEX).append("\">").append(INDEX).append("</a>.</p>\n");
      neighbours(h, GALLERY, cardPages, more);
      GalleryHtml.filters(h, counts);
      h.append("<main class=\"grid\">\n");
      StringBuilder end = new StringBuilder("</main>\n");
      neighbours(end, GALLERY, cardPages, more);
      GalleryHtml.end(end, simulated);
      write(GALLERY + "-" + cardPages + ".html", h, page, end);
    }
    page = new StringBuilder();
    counts = new GalleryCard.Counts();
  }

  /** Links to every page of cards, on the index. */
  private void pager(StringBuilder h, int current) {
    if (cardPages <= 1) {
      return;
    }
    h.append("<nav class=\"pages\" aria-label=\"pages\">\n<span class=\"muted\">").append(cards).append(" jobs, ")
        .append(pageSize).append(" a page:</span>\n");
    for (int p = 1; p <= cardPages; p++) {
      GalleryHtml.pageLink(h, p == 1 ? INDEX : GALLERY + "-" + p + ".html", Integer.toString(p), p == current);
    }
    h.append("</nav>\n");
  }

  /** Links to the previous and the next page of a series (whose first page is the index), and to the index. */
  private static void neighbours(StringBuilder h, String series, int current, boolean more) {
    h.append("<nav class=\"pages\" aria-label=\"pages\">\n");
    GalleryHtml.pageLink(h, INDEX, "index", false);
    GalleryHtml.pageLink(h, current == 2 ? INDEX : series + "-" + (current - 1) + ".html", "previous", false);
    GalleryHtml.pageLink(h, "", "page " + current, true);
    if (more) {
      GalleryHtml.pageLink(h, series + "-" + (current + 1) + ".html", "next", false);
    }
    h.append("</nav>\n");
  }

  /** Writes {@code parts} one after the other, through a small buffer: a page is never copied whole. */
  private Path write(String name, StringBuilder... parts) {
    Path file = dir.resolve(name);
    try {
      Path tmp = Files.createTempFile(dir, "." + name + "-", ".tmp");
      try {
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          for (StringBuilder part : parts) {
            for (int from = 0; from < part.length(); from += chunk.length) {
              int to = Math.min(part.length(), from + chunk.length);
              part.getChars(from, to, chunk, 0);
              w.write(chunk, 0, to - from);
            }
          }
        }
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

  /** Removes pages of this gallery's series beyond the ones just written, if anycap-batch wrote them. */
  private void removeStalePages() {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*-*.html")) {
      for (Path f : files) {
        var m = PAGE_FILE.matcher(f.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long n = Long.parseLong(m.group(2));
        int written = switch (m.group(1)) {
          case GALLERY -> cardPages;
          case FAILURES -> failures.pages;
          default -> skipped.pages;
        };
        if (n > written && ourPage(f)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // an old page left behind is harmless: no page links to it
    }
  }

  private static boolean ourPage(Path f) throws IOException {
    byte[] head = new byte[512];
    int n;
    try (var in = Files.newInputStream(f)) {
      n = in.readNBytes(head, 0, head.length);
    }
    return new String(head, 0, n, StandardCharsets.UTF_8).contains("<meta name=\"generator\" content=\"anycap-batch\"/>");
  }

  /**
   * A table of jobs (the failures, the jobs that did not run): its first page on the index, the
   * others on pages of their own, each row linking to the job's card.
   */
  final class Table {
    private final String series;
    private final String one;
    private final String many;
    private final String sectionClass;
    private final String headings;
    private final List<String> first = new ArrayList<>();
    private final StringBuilder rows = new StringBuilder();
    private long count;
    private int inPage;
    private int pages;

    private Table(String series, String one, String many, String sectionClass, String headings) {
      this.series = series;
      this.one = one;
      this.many = many;
      this.sectionClass = sectionClass;
      this.headings = headings;
    }

    void add(String id, String cardPage, String anchor, String cells, String rowClass) {
      if (pages > 0 && inPage == pageSize) {
        flush(true);
      }
      if (pages == 0) {
        pages = 1;
      }
      count++;
      inPage++;
      String link = (pages == 1 && cardPage.equals(INDEX) ? "" : cardPage) + "#" + anchor;
      String row = "<tr" + (rowClass.isEmpty() ? "" : " class=\"" + rowClass + "\"") + " data-job-id=\"" + esc(id)
          + "\"><td><a href=\"" + esc(link) + "\">" + esc(id) + "</a></td>" + cells + "</tr>\n";
      if (pages == 1) {
        first.add(row);
      } else {
        rows.append(row);
      }
    }

    /** Rows listed. */
    long count() {
      return count;
    }

    private void flush(boolean more) {
      if (pages > 1 && inPage > 0) {
        StringBuilder h = new StringBuilder(rows.length() + 24 * 1024);
        GalleryHtml.head(h, title + " (" + series + ", page " + pages + ")");
        pageHeader.accept(h);
        neighbours(h, series, pages, more);
        section(h, "page " + pages + " of the " + many, rows);
        neighbours(h, series, pages, more);
        GalleryHtml.end(h, simulated);
        write(series + "-" + pages + ".html", h);
        rows.setLength(0);
      }
      if (more) {
        pages++;
        inPage = 0;
      }
    }

    /** The table's first page, on the index, with links to the others. */
    private void renderFirst(StringBuilder h) {
      if (count == 0) {
        return;
      }
      StringBuilder body = new StringBuilder();
      first.forEach(body::append);
      section(h, count + " " + (count == 1 ? one : many), body);
      if (pages > 1) {
        h.append("<nav class=\"pages\" aria-label=\"").append(series).append(" pages\">\n<span class=\"muted\">")
            .append(first.size()).append(" listed here; the rest:</span>\n");
        for (int p = 2; p <= pages; p++) {
          GalleryHtml.pageLink(h, series + "-" + p + ".html", "page " + p, false);
        }
        h.append("</nav>\n");
      }
    }

    private void section(StringBuilder h, String heading, CharSequence body) {
      h.append("<section class=\"").append(sectionClass).append("\" id=\"").append(series).append("\">\n<h2>")
          .append(esc(heading)).append("</h2>\n<table>\n<thead><tr>").append(headings).append("</tr></thead>\n<tbody>\n")
          .append(body).append("</tbody>\n</table>\n</section>\n");
    }
  }
}

package ai.anycap.batch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The markup every gallery page shares: the document's head with its inline style (light and dark
 * themes) and filter script, the totals' boxes, the filter bar, escaping and relative links. No
 * {@code '&'} or {@code '<'} in the style and the script, and every attribute quoted: the pages are
 * well-formed XML as well as HTML, so that tests (and other tools) read them with an XML parser.
 */
final class GalleryHtml {

  private GalleryHtml() {}

  /** The document up to and including {@code <body>}. */
  static void head(StringBuilder h, String title) {
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<meta name=\"generator\" content=\"anycap-batch\"/>\n")
        .append("<title>").append(esc(title)).append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");
  }

  /** The footer, the filter script, and the end of the document. */
  static void end(StringBuilder h, boolean simulated) {
    h.append("<footer class=\"muted\">Made by anycap-batch")
        .append(simulated ? " on the AnyCap simulator. Simulated images." : " with AnyCap.")
        .append("</footer>\n<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
  }

  /** One box of the totals. */
  static void stat(StringBuilder h, String name, String value, String cls) {
    h.append("<div class=\"stat ").append(cls).append("\"><dt>").append(esc(name)).append("</dt><dd>")
        .append(esc(value)).append("</dd></div>\n");
  }

  /** The filter buttons over the cards of a page, and the search box. */
  static void filters(StringBuilder h, GalleryCard.Counts counts) {
    h.append("<nav class=\"filters\">\n");
    filterButton(h, "all", "All", counts.all(), true);
    filterButton(h, "succeeded", "Generated", counts.of("succeeded"), false);
    filterButton(h, "done-earlier", "Done earlier", counts.of("done-earlier"), false);
    filterButton(h, "failed", "Failed", counts.of("failed"), false);
    filterButton(h, "skipped", "Skipped", counts.of("skipped"), false);
    h.append("<input type=\"search\" id=\"search\" placeholder=\"Search id, prompt, values\" aria-label=\"Search\"/>\n</nav>\n");
  }

  private static void filterButton(StringBuilder h, String filter, String label, long count, boolean pressed) {
    h.append("<button type=\"button\" data-filter=\"").append(filter).append("\" aria-pressed=\"").append(pressed)
        .append("\"").append(count == 0 && !filter.equals("all") ? " disabled=\"disabled\"" : "").append(">")
        .append(esc(label)).append(" <span class=\"count\">").append(count).append("</span></button>\n");
  }

  /** A link to another page, or the current page's number. */
  static void pageLink(StringBuilder h, String file, String label, boolean current) {
    if (current) {
      h.append("<span class=\"current\">").append(esc(label)).append("</span>\n");
    } else {
      h.append("<a href=\"").append(esc(file)).append("\">").append(esc(label)).append("</a>\n");
    }
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
      .pages { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 12px 0; }
      .pages a, .pages span.current { border: 1px solid var(--line); border-radius: 8px; padding: 2px 9px;
        background: var(--card); text-decoration: none; }
      .pages span.current { background: var(--ink); color: var(--bg); }
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

package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gallery of a batch larger than a page: written from the manifest and the run's record of
 * skips, ten cards a page here (500 in the tool), with the failures and the jobs that did not run
 * in tables of ten rows a page.
 */
class GalleryPagingTest {

  static final int ROWS = 95;
  static final int PAGE = 10;
  /** Rows whose color is empty: the template needs it, so they are invalid (skipped with --skip-invalid-rows). */
  static final Set<Integer> INVALID = Set.of(30, 31, 32);
  /** Generate requests the simulator fails for good (request numbers: one job each, at concurrency 1). */
  static final String FAILING = "2,9,16,23,30,37,44,51,58,65,72,79";
  static final int BUDGET = 70;

  @TempDir Path tmp;

  @Test
  void ninetyFiveJobsTenAPage_everyJobOnce_everyImageLinkedOnce_everyFailureListed_totalsRight() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = run(out, PAGE, "--budget-credits", Integer.toString(BUDGET));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.SOME_FAILED);
    Map<String, String> manifest = finalStatuses(out.resolve("manifest.jsonl"));
    Set<String> succeeded = idsWith(manifest, "succeeded");
    Set<String> failed = idsWith(manifest, "failed");
    assertThat(succeeded).hasSize(BUDGET); // failures are not charged, so the budget buys 70 images
    assertThat(failed).hasSize(12);
    int overBudget = ROWS - INVALID.size() - BUDGET - failed.size();
    assertThat(run.out()).containsPattern("skipped +13 \\(.*3 invalid rows.*\\)")
        .contains(overBudget + " over budget").contains("... and 2 more failures: see the gallery");

    Site site = Site.read(out);
    assertThat(site.cardPages).containsExactly("index.html", "gallery-2.html", "gallery-3.html", "gallery-4.html",
        "gallery-5.html", "gallery-6.html", "gallery-7.html", "gallery-8.html", "gallery-9.html", "gallery-10.html");
    assertThat(out.resolve("gallery-11.html")).doesNotExist();
    // Every job of the CSV once, in its order, ten a page.
    assertThat(site.cards.keySet()).containsExactlyElementsOf(ids());
    assertThat(site.cardsPerPage.values()).containsExactly(10, 10, 10, 10, 10, 10, 10, 10, 10, 5);
    assertThat(site.cards.entrySet().stream().filter(e -> e.getValue().equals("succeeded")).map(Map.Entry::getKey))
        .containsExactlyInAnyOrderElementsOf(succeeded);
    assertThat(site.cards.entrySet().stream().filter(e -> e.getValue().equals("failed")).map(Map.Entry::getKey))
        .containsExactlyInAnyOrderElementsOf(failed);
    // Every image linked once across the pages, each resolving to its file.
    assertThat(site.images).hasSize(BUDGET).doesNotHaveDuplicates();
    assertThat(site.images.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
        .isEqualTo(succeeded);
    // Every failure listed: ten on the index, the rest on failures-2.html; each row links to its card.
    assertThat(site.failures.keySet()).containsExactlyInAnyOrderElementsOf(failed);
    assertThat(GalleryPage.read(out).tableRows("failures")).hasSize(PAGE);
    assertThat(GalleryPage.read(out, "failures-2.html").tableRows("failures")).hasSize(2);
    assertThat(site.failures.values()).allSatisfy(text -> assertThat(text).contains("IMAGE_INTERNAL_ERROR")
        .doesNotContain("[IMAGE_INTERNAL_ERROR]"));
    // The jobs that did not run, with their reasons: 3 invalid rows, the rest over budget.
    Map<String, String> skipped = site.skipped;
    assertThat(skipped).hasSize(INVALID.size() + overBudget);
    for (int i : INVALID) {
      assertThat(skipped.get(id(i))).contains("invalid row").contains("color");
    }
    assertThat(skipped.values().stream().filter(t -> t.contains("over budget"))).hasSize(overBudget);
    assertThat(site.linksToCards).isNotEmpty().allSatisfy(link -> assertThat(site.anchorResolves(link))
        .as("link %s reaches its card", link).isTrue());
    // The totals, on the index.
    Map<String, String> totals = GalleryPage.read(out).totals();
    assertThat(totals).containsEntry("jobs", "95").containsEntry("generated", "70").containsEntry("failed", "12")
        .containsEntry("skipped", Integer.toString(INVALID.size() + overBudget));
    assertThat(GalleryPage.read(out).text()).contains("Simulated run");
    assertThat(GalleryPage.read(out, "gallery-7.html").text()).contains("Simulated run");
  }

  @Test
  void aRerun_showsWhatWasDoneEarlier_andRemovesThePagesItNoLongerNeeds() throws Exception {
    Path out = tmp.resolve("output");
    assertThat(run(out, PAGE, "--budget-credits", Integer.toString(BUDGET)).exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(out.resolve("gallery-10.html")).exists();
    assertThat(out.resolve("failures-2.html")).exists();

    CliRun again = run(out, 50);

    assertThat(again.exitCode()).as(again.all()).isEqualTo(ExitCodes.SOME_FAILED); // the 3 invalid rows
    Site site = Site.read(out);
    assertThat(site.cardPages).containsExactly("index.html", "gallery-2.html");
    assertThat(out.resolve("gallery-3.html")).doesNotExist();
    assertThat(out.resolve("gallery-10.html")).doesNotExist();
    assertThat(out.resolve("failures-2.html")).doesNotExist();
    assertThat(site.cards.keySet()).containsExactlyElementsOf(ids());
    assertThat(site.cards.values().stream().filter("done-earlier"::equals)).hasSize(BUDGET);
    // 22 jobs ran again; the simulator, started afresh, failed the 2nd, 9th and 16th of them
    assertThat(site.cards.values().stream().filter("succeeded"::equals)).hasSize(19);
    assertThat(site.failures).hasSize(3);
    assertThat(site.images).hasSize(BUDGET + 19).doesNotHaveDuplicates();
  }

  private CliRun run(Path out, int pageSize, String... more) throws Exception {
    Path csv = tmp.resolve("many.csv");
    if (!Files.exists(csv)) {
      StringBuilder s = new StringBuilder("name,color,sku\n");
      for (int i = 1; i <= ROWS; i++) {
        s.append("Mug ").append(i).append(',').append(INVALID.contains(i) ? "" : "blue").append(",SKU-")
            .append(String.format("%03d", i)).append('\n');
      }
      Files.writeString(csv, s);
    }
    List<String> args = new ArrayList<>(List.of(CliRun.simulatedSampleRun(out, "--concurrency", "1",
        "--simulate-fault", "do-not-retry:on=" + FAILING, "--skip-invalid-rows")));
    args.set(1, csv.toString());
    args.addAll(List.of(more));
    return CliRun.of(env -> env.withGalleryPageSize(pageSize), Map.of(), args.toArray(String[]::new));
  }

  private static String id(int row) {
    return String.format("SKU-%03d.png", row);
  }

  private static List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= ROWS; i++) {
      ids.add(id(i));
    }
    return ids;
  }

  /** Each job's last line in the manifest: its status. */
  private static Map<String, String> finalStatuses(Path manifest) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, String> last = new HashMap<>();
    for (String line : Files.readAllLines(manifest)) {
      JsonNode n = json.readTree(line);
      last.put(n.get("id").asText(), n.get("status").asText());
    }
    return last;
  }

  private static Set<String> idsWith(Map<String, String> statuses, String status) {
    return statuses.entrySet().stream().filter(e -> e.getValue().equals(status)).map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /** Every page of a gallery, read as a person would follow the links. */
  static final class Site {
    final Path dir;
    final List<String> cardPages = new ArrayList<>();
    final Map<String, Integer> cardsPerPage = new LinkedHashMap<>();
    final Map<String, String> cards = new LinkedHashMap<>();
    final List<Path> images = new ArrayList<>();
    final Map<String, String> failures = new LinkedHashMap<>();
    final Map<String, String> skipped = new LinkedHashMap<>();
    final Set<String> linksToCards = new LinkedHashSet<>();
    final Map<String, GalleryPage> pages = new HashMap<>();

    private Site(Path dir) {
      this.dir = dir;
    }

    static Site read(Path dir) throws Exception {
      Site site = new Site(dir);
      for (int n = 1; ; n++) {
        String name = n == 1 ? "index.html" : "gallery-" + n + ".html";
        if (!Files.exists(dir.resolve(name))) {
          break;
        }
        GalleryPage page = site.page(name);
        site.cardPages.add(name);
        Map<String, String> jobs = page.jobs();
        site.cardsPerPage.put(name, jobs.size());
        jobs.forEach((id, status) -> assertThat(site.cards.put(id, status)).as("%s on one page", id).isNull());
        page.assertLinksResolve();
        for (String src : page.imageSources()) {
          site.images.add(dir.resolve(java.net.URI.create(src).getPath()).normalize());
        }
      }
      site.table("failures", site.failures);
      site.table("skipped", site.skipped);
      return site;
    }

    private void table(String series, Map<String, String> into) throws Exception {
      for (int n = 1; ; n++) {
        String name = n == 1 ? "index.html" : series + "-" + n + ".html";
        if (!Files.exists(dir.resolve(name))) {
          return;
        }
        GalleryPage page = page(name);
        page.assertLinksResolve();
        page.tableRows(series).forEach((id, text) -> assertThat(into.put(id, text)).as("%s listed once", id).isNull());
        for (String href : page.hrefs()) {
          if (href.contains("#job-")) {
            linksToCards.add(href.startsWith("#") ? name + href : href);
          }
        }
      }
    }

    GalleryPage page(String name) throws Exception {
      GalleryPage p = pages.get(name);
      if (p == null) {
        p = GalleryPage.read(dir, name);
        pages.put(name, p);
      }
      return p;
    }

    boolean anchorResolves(String link) throws Exception {
      int hash = link.indexOf('#');
      return page(link.substring(0, hash)).hasAnchor(link.substring(hash + 1));
    }
  }
}

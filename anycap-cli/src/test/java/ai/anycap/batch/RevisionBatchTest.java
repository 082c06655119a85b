package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's revision batch: every photo in samples/photos/ restyled with nano-banana-pro, on the
 * built-in simulator; its reference files checked before anything is spent, uploaded once, shown
 * beside the results; upscales priced at two credits.
 */
class RevisionBatchTest {

  private static final List<String> PHOTOS = List.of("mug.png", "bottle.png", "lamp.png", "notebook.png");

  @TempDir Path tmp;

  /** The README's command, with the output directory given and no latency. */
  private static String[] revisions(Path csv, Path out, String... more) {
    Path s = CliRun.samples();
    List<String> args = new ArrayList<>(List.of(
        "run", csv.toString(),
        "--operation", "edit", "--model", "nano-banana-pro",
        "--reference-column", "photo", "--reference-dir", s.resolve("photos").toString(),
        "--prompt-column", "prompt",
        "--output-key", "restyled/{photo}",
        "--out", out.toString(),
        "--simulate", "--simulate-latency", "0"));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  private static Path sampleCsv() {
    return CliRun.samples().resolve("revisions.csv");
  }

  @Test
  void theSampleRevisionBatch_editsEachPhoto_uploadingItOnce_andShowsItBesideItsResult() throws Exception {
    Path out = tmp.resolve("output");

    CliRun run = CliRun.of(revisions(sampleCsv(), out));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    SimulatorCounters c = run.simulators().get(0).counters();
    assertThat(c.presigns()).isEqualTo(4);
    assertThat(c.uploads()).isEqualTo(4);
    assertThat(c.edits()).isEqualTo(4);
    assertThat(c.requests(SimulatorCounters.GENERATE)).isZero();
    ObjectMapper json = new ObjectMapper();
    for (String body : c.generationsByRequest().keySet()) {
      assertThat(body).startsWith("edit ");
      assertThat(json.readTree(body.substring(5)).get("images").get(0).asText()).contains("/objects/");
      assertThat(json.readTree(body.substring(5)).get("model").asText()).isEqualTo("nano-banana-pro");
    }
    for (String photo : PHOTOS) {
      assertThat(GalleryPage.isPng(out.resolve("restyled").resolve(photo))).as(photo).isTrue();
      assertThat(GalleryPage.isPng(out.resolve(ReferenceThumbnails.DIR).resolve(photo))).as(photo).isTrue();
    }
    GalleryPage page = GalleryPage.read(out);
    assertThat(page.jobs()).hasSize(4).containsValue("succeeded");
    assertThat(page.imageSources()).hasSize(8)
        .contains("restyled/mug.png", ReferenceThumbnails.DIR + "/mug.png");
    page.assertLinksResolve();

    CliRun again = CliRun.of(revisions(sampleCsv(), out));
    assertThat(again.exitCode()).as(again.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    SimulatorCounters second = again.simulators().get(0).counters();
    assertThat(second.presigns() + second.uploadBytes() + second.edits()).as("a rerun sends nothing").isZero();
    assertThat(GalleryPage.read(out).jobs()).containsOnlyKeys(PHOTOS.stream().map(p -> "restyled/" + p).toList());
  }

  @Test
  void badReferenceFiles_areBadInput_namingRowAndColumn_andNothingIsSent() throws Exception {
    Path csv = Files.writeString(tmp.resolve("revisions.csv"),
        "photo,prompt\nmug.png,ink\nmissing.png,ink\n../revisions.csv,ink\n");

    CliRun run = CliRun.of(revisions(csv, tmp.resolve("output")));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("revisions.csv:3: field 'photo': reference image")
        .contains("missing.png does not exist")
        .contains("revisions.csv:4: field 'photo': reference image '../revisions.csv' is outside the reference"
            + " directory");
    assertThat(run.simulators()).as("checked before the simulator starts").isEmpty();
    assertThat(tmp.resolve("output")).doesNotExist();
  }

  @Test
  void flagsThatDoNotFitTheOperation_areBadInput() {
    Path s = CliRun.samples();
    String csv = sampleCsv().toString();
    String out = tmp.resolve("output").toString();

    assertThat(CliRun.of("run", csv, "--operation", "edit", "--prompt-column", "prompt", "--output-key", "{photo}",
        "--out", out, "--simulate").err()).contains("--operation edit needs --reference-column COLUMN");
    assertThat(CliRun.of("run", csv, "--operation", "upscale", "--prompt-column", "prompt", "--reference-column",
        "photo", "--output-key", "{photo}", "--out", out, "--simulate").err())
        .contains("--operation upscale takes no prompt: drop --prompt-column");
    assertThat(CliRun.of("run", csv, "--operation", "read", "--prompt-column", "prompt", "--output-key", "{photo}",
        "--out", out, "--simulate").err()).contains("a read answers text, not an image");
    CliRun noDir = CliRun.of("run", csv, "--operation", "edit", "--prompt-column", "prompt", "--reference-column",
        "photo", "--reference-dir", s.resolve("no-such-dir").toString(), "--output-key", "{photo}", "--out", out,
        "--simulate");
    assertThat(noDir.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noDir.err()).contains("--reference-dir").contains("no such directory");
  }

  @Test
  void upscales_takeNoPrompt_costTwoCreditsEach_andAreEstimatedSo() throws Exception {
    Path s = CliRun.samples();
    String[] upscale = {
        sampleCsv().toString(), "--operation", "upscale", "--reference-column", "photo",
        "--reference-dir", s.resolve("photos").toString(), "--param", "resolution=4k",
        "--output-key", "big/{photo}", "--out", tmp.resolve("output").toString()};

    CliRun estimate = CliRun.of(concat("estimate", upscale));
    CliRun run = CliRun.of(concat("run", concat(upscale, "--simulate", "--simulate-latency", "0")));

    assertThat(estimate.exitCode()).as(estimate.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(estimate.out()).containsPattern("upscale +4 images").contains("8 credits");
    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    SimulatorCounters c = run.simulators().get(0).counters();
    assertThat(c.upscales()).isEqualTo(4);
    assertThat(c.creditsCharged()).isEqualTo(8);
    assertThat(GalleryPage.isPng(tmp.resolve("output/big/lamp.png"))).isTrue();
    assertThat(GalleryPage.read(tmp.resolve("output")).figureText("big/lamp.png")).contains("upscale of lamp.png");
  }

  private static String[] concat(String first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(Arrays.asList(rest));
    return all.toArray(String[]::new);
  }

  private static String[] concat(String[] head, String... tail) {
    List<String> all = new ArrayList<>(Arrays.asList(head));
    all.addAll(Arrays.asList(tail));
    return all.toArray(String[]::new);
  }
}

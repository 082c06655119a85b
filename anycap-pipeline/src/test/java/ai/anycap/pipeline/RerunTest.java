package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.internal.JobCall;
import ai.anycap.pipeline.internal.RequestDigest;
import ai.anycap.testkit.AnyCapSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rerun trusts its journal only as far as it still holds: for the same request, the same output
 * key and the image still on disk. It survives its own crashes (torn lines), refuses a second run
 * on the same journal, downloads what an earlier run was answered for, and clears the temporary
 * files a killed run left. Asserted by what the simulator generated.
 */
class RerunTest {

  @TempDir Path dir;

  private AnyCapSimulator sim;
  private Path out;
  private Path journal;

  @BeforeEach
  void start() {
    sim = AnyCapSimulator.builder().seed(5).start();
    out = dir.resolve("out");
    journal = out.resolve("manifest.jsonl");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private ImagePipelineBuilder pipeline(PromptTemplates templates) {
    return ImagePipeline.builder().client(sim.client()).templates(templates).outputRoot(out).journal(journal).concurrency(4);
  }

  private BatchReport run(PromptTemplates templates, List<ImageJob> jobs) {
    try (ImagePipeline p = pipeline(templates).build()) {
      return p.run(JobSource.of(jobs));
    }
  }

  @Test
  void aChangedTemplate_regeneratesEveryChangedJob_andSkipsTheUnchangedOnes() {
    run(TEMPLATES, jobs(6));
    // Same ids, same names: the template of the even jobs says something else now.
    PromptTemplates changed = PromptTemplates.of(
        PromptTemplate.of("product_hero", "E-commerce product photo: {product_name}, {color}, studio lighting"),
        PromptTemplate.of("product_v2", "Catalogue shot: {product_name} in {color}, soft light"));
    List<ImageJob> jobs = jobs(6).stream()
        .map(j -> Integer.parseInt(j.id().substring(4)) % 2 == 0 ? j.toBuilder().template("product_v2").build() : j)
        .toList();

    BatchReport again = run(changed, jobs);

    assertThat(again.skipped(SkipReason.ALREADY_DONE)).isEqualTo(3);
    assertThat(again.succeeded()).isEqualTo(3);
    assertThat(again.resumption().changed()).isEqualTo(3);
    assertThat(sim.counters().imagesGenerated()).isEqualTo(9);
    assertThat(sim.counters().duplicateGenerations()).isZero();
  }

  @Test
  void aChangedOutputKey_isAChangedJob() {
    run(TEMPLATES, jobs(2));
    List<ImageJob> moved = jobs(2).stream().map(j -> j.toBuilder().outputKey("moved/" + j.outputKey()).build()).toList();

    BatchReport again = run(TEMPLATES, moved);

    assertThat(again.resumption().changed()).isEqualTo(2);
    assertThat(out.resolve("moved/img-1.png")).exists();
  }

  @Test
  void deletedOrTruncatedOutputs_areMadeAgain_exactlyThose() throws Exception {
    run(TEMPLATES, jobs(5));
    Files.delete(out.resolve("img-2.png"));
    Files.write(out.resolve("img-4.png"), new byte[] {1, 2, 3});

    BatchReport again = run(TEMPLATES, jobs(5));

    assertThat(again.succeeded()).isEqualTo(2);
    assertThat(again.skipped(SkipReason.ALREADY_DONE)).isEqualTo(3);
    assertThat(again.resumption().outputsRemade()).isEqualTo(2);
    assertThat(PipelineFixtures.completePng(out.resolve("img-2.png"))).isTrue();
    assertThat(PipelineFixtures.completePng(out.resolve("img-4.png"))).isTrue();
    assertThat(sim.counters().imagesGenerated()).isEqualTo(7);
  }

  @Test
  void aJournalOfTheOlderFormat_stillSkipsWhatItRecords() throws Exception {
    run(TEMPLATES, jobs(3));
    // Lines as the previous version wrote them: no request fingerprint, no sizes, no write-ahead.
    StringBuilder old = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      old.append("{\"id\":\"job-").append(i).append("\",\"status\":\"succeeded\",\"outputs\":[\"img-").append(i)
          .append(".png\"],\"model\":\"nano-banana-2\",\"credits\":1,\"attempts\":1}\n");
    }
    Files.writeString(journal, old);

    BatchReport again = run(TEMPLATES, jobs(4));

    assertThat(again.skipped(SkipReason.ALREADY_DONE)).isEqualTo(3);
    assertThat(again.succeeded()).isEqualTo(1);
    assertThat(sim.counters().imagesGenerated()).isEqualTo(4);
  }

  @Test
  void threeCrashRerunCycles_eachLeavingATornLine_leaveAJournalThatReads() throws Exception {
    for (int cycle = 1; cycle <= 3; cycle++) {
      BatchReport r = run(TEMPLATES, jobs(cycle * 2));
      assertThat(r.failed()).isZero();
      // The process dies mid-write: half a line, no newline.
      Files.writeString(journal, "{\"id\":\"job-" + (cycle * 2 + 1) + "\",\"status\":\"succ",
          StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
    BatchReport last = run(TEMPLATES, jobs(7));

    assertThat(last.skipped(SkipReason.ALREADY_DONE)).isEqualTo(6);
    assertThat(last.succeeded()).isEqualTo(1);
    assertThat(Files.readString(journal)).endsWith("\n").doesNotContain("\"succ\n");
    assertThat(sim.counters().duplicateGenerations()).isZero();
  }

  @Test
  void halfALineInTheMiddle_writtenByAnOlderVersion_isIgnored() throws Exception {
    run(TEMPLATES, jobs(2));
    String lines = Files.readString(journal);
    Files.writeString(journal, "{\"id\":\"job-9\",\"stat\n" + lines);

    BatchReport again = run(TEMPLATES, jobs(2));

    assertThat(again.skipped(SkipReason.ALREADY_DONE)).isEqualTo(2);
  }

  @Test
  void aSecondPipelineOnAJournalInUse_isRefused_namingTheJournalAndItsHolder() {
    try (ImagePipeline first = pipeline(TEMPLATES).build()) {
      assertThatThrownBy(() -> pipeline(TEMPLATES).build())
          .isInstanceOf(JournalException.class)
          .hasMessageContaining("manifest.jsonl is in use by another run")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      first.run(JobSource.of(jobs(1)));
    }
    // Released on close: the next run may have it.
    assertThat(run(TEMPLATES, jobs(1)).skipped(SkipReason.ALREADY_DONE)).isEqualTo(1);
  }

  @Test
  void temporaryFilesOfAKilledRun_areRemoved_andNothingElse() throws Exception {
    Files.createDirectories(out.resolve("sub"));
    Path[] leftovers = {out.resolve(".img-1.png.8812345.part"), out.resolve("sub/.a.png.99.part")};
    for (Path p : leftovers) {
      Files.write(p, new byte[] {1});
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
    }
    Path mine = out.resolve("notes.part");
    Files.writeString(mine, "a user's file");

    BatchReport r = run(TEMPLATES, jobs(2));

    assertThat(r.resumption().tempFilesRemoved()).isEqualTo(2);
    assertThat(leftovers[0]).doesNotExist();
    assertThat(leftovers[1]).doesNotExist();
    assertThat(mine).exists();
  }

  @Test
  void anAnswerRecordedBeforeTheDownload_isDownloadedOnTheRerun_notGeneratedAgain() throws Exception {
    ImageJob job = jobs(1).get(0);
    ImageRequest request = ImageRequest.builder().model("nano-banana-2")
        .prompt(TEMPLATES.render("product_hero", job.values())).build();
    // What a run killed between the answer and the download leaves: the write-ahead line only.
    String url = sim.client().images().generate(request).firstOutput().toString();
    writeGeneratedLine(job, url);

    BatchReport r = run(TEMPLATES, List.of(job));

    assertThat(r.succeeded()).isEqualTo(1);
    assertThat(r.resumption().downloadsResumed()).isEqualTo(1);
    assertThat(r.credits()).isEqualByComparingTo("0");
    assertThat(sim.counters().timesGenerated(request)).isEqualTo(1);
    assertThat(PipelineFixtures.completePng(out.resolve(job.outputKey()))).isTrue();
  }

  @Test
  void anAnswerWhoseImagesExpired_isGeneratedAgain_andCounted() throws Exception {
    ImageJob job = jobs(1).get(0);
    writeGeneratedLine(job, sim.baseUri().resolve("/artifacts/img_gone.png?expires=1&sig=00").toString());

    BatchReport r = run(TEMPLATES, List.of(job));

    assertThat(r.succeeded()).isEqualTo(1);
    assertThat(r.resumption().answersExpired()).isEqualTo(1);
    assertThat(r.resumption().downloadsResumed()).isZero();
    assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
  }

  /** The line a run writes when the server answers, before it downloads, for {@code job}. */
  private void writeGeneratedLine(ImageJob job, String url) throws Exception {
    ImageRequest request = ImageRequest.builder().model("nano-banana-2")
        .prompt(TEMPLATES.render("product_hero", job.values())).build();
    long fingerprint = RequestDigest.ofJob(new JobCall.Image(ImageOperation.GENERATE, request), job.outputKey(),
        file -> { throw new AssertionError("no local file"); }).high();
    Files.createDirectories(out);
    Files.writeString(journal, "{\"id\":\"" + job.id() + "\",\"status\":\"generated\",\"request\":\""
        + String.format("%016x", fingerprint) + "\",\"urls\":[\"" + url + "\"],\"model\":\"nano-banana-2\","
        + "\"credits\":1,\"at\":\"2026-12-01T00:00:00Z\"}\n");
  }
}

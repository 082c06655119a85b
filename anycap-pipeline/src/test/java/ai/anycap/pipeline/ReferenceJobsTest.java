package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageOperation;
import ai.anycap.client.PriceTable;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs with reference images through the pipeline: local photos uploaded once per batch (and not
 * at all when the server has them), edit, upscale and image-to-image generate sent with the
 * object URLs, reference files checked before anything is spent, the journal keyed on the files'
 * bytes, and every operation priced. Asserted by what the simulator received.
 */
class ReferenceJobsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private AnyCapSimulator sim;
  private Path photos;

  @BeforeEach
  void start() throws IOException {
    sim = AnyCapSimulator.builder().seed(11).latency(java.time.Duration.ofMillis(20)).start();
    photos = Files.createDirectories(dir.resolve("photos"));
    for (int i = 0; i < 5; i++) {
      photo("photo-" + i + ".png", i);
    }
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  /** A small PNG whose pixels depend on {@code seed}, so that photos differ in their bytes. */
  private Path photo(String name, int seed) throws IOException {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 8; x++) {
      for (int y = 0; y < 8; y++) {
        image.setRGB(x, y, (seed * 40 + x * 20) << 16 | (y * 30) << 8 | seed * 50);
      }
    }
    Path file = photos.resolve(name);
    ImageIO.write(image, "png", file.toFile());
    return file;
  }

  private ImagePipelineBuilder pipeline(AnyCapClient client, String out, Consumer<ImagePipelineBuilder> more) {
    ImagePipelineBuilder b = ImagePipeline.builder()
        .client(client)
        .referenceDirectory(photos)
        .outputRoot(dir.resolve(out))
        .journal(dir.resolve(out).resolve("manifest.jsonl"))
        .concurrency(16)
        .retry(Retry.exponential(3, java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(10)));
    more.accept(b);
    return b;
  }

  private BatchReport run(AnyCapClient client, String out, List<ImageJob> jobs) {
    try (ImagePipeline p = pipeline(client, out, b -> {}).build()) {
      return p.run(JobSource.of(jobs));
    }
  }

  /** 50 edits over the 5 photos, each with a prompt of its own. */
  private static List<ImageJob> restyles(String style) {
    List<ImageJob> jobs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      jobs.add(ImageJob.builder().id("job-" + i).operation(ImageOperation.EDIT).model("nano-banana-pro")
          .prompt(style + " " + i).reference("photo-" + (i % 5) + ".png").outputKey("restyled/" + i + ".png")
          .build());
    }
    return jobs;
  }

  /** The {@code images} of each edit the simulator received. */
  private List<String> editedImages() throws IOException {
    List<String> images = new ArrayList<>();
    for (String body : sim.counters().generationsByRequest().keySet()) {
      if (body.startsWith("edit ")) {
        JsonNode n = JSON.readTree(body.substring("edit ".length()));
        n.get("images").forEach(url -> images.add(url.asText()));
      }
    }
    return images;
  }

  @Test
  void fiftyEditsOverFivePhotos_uploadEachPhotoOnce_andSendTheirObjectUrls() throws Exception {
    BatchReport report = run(sim.client(), "out", restyles("watercolor"));

    assertThat(report.succeeded()).isEqualTo(50);
    SimulatorCounters c = sim.counters();
    assertThat(c.presigns()).isEqualTo(5);
    assertThat(c.uploads()).isEqualTo(5);
    assertThat(c.reusedUploads()).isZero();
    assertThat(c.edits()).isEqualTo(50);
    assertThat(c.requests(SimulatorCounters.EDIT)).isEqualTo(50);
    assertThat(c.requests(SimulatorCounters.GENERATE)).isZero();
    List<String> images = editedImages();
    assertThat(images).hasSize(50).allMatch(u -> u.startsWith(sim.baseUri().resolve("/objects/").toString()));
    assertThat(images.stream().distinct()).hasSize(5);
    assertThat(c.uploadBytes()).isEqualTo(sizeOfPhotos());
    assertThat(PipelineFixtures.completePng(dir.resolve("out/restyled/7.png"))).isTrue();
  }

  @Test
  void aRerun_sendsNoUploadBytes_whetherItsJobsAreDone_orTheServerHasThePhotos() throws Exception {
    run(sim.client(), "out", restyles("watercolor"));
    sim.resetCounters();

    // The same batch again, from a new process (a new client, an empty upload cache): all done.
    BatchReport again = run(sim.clientBuilder().build(), "out", restyles("watercolor"));
    assertThat(again.skipped(SkipReason.ALREADY_DONE)).isEqualTo(50);
    assertThat(sim.counters().presigns()).isZero();
    assertThat(sim.counters().uploadBytes()).isZero();

    // New jobs over the same photos, from another new process: the server already has them.
    BatchReport other = run(sim.clientBuilder().build(), "other", restyles("charcoal"));
    SimulatorCounters c = sim.counters();
    assertThat(other.succeeded()).isEqualTo(50);
    assertThat(c.presigns()).isEqualTo(5);
    assertThat(c.reusedUploads()).isEqualTo(5);
    assertThat(c.uploads()).isZero();
    assertThat(c.uploadBytes()).isZero();
    assertThat(c.edits()).isEqualTo(50);
  }

  @Test
  void aChangedPhoto_makesItsJobsRunAgain_andAMovedOneDoesNot() throws Exception {
    List<ImageJob> jobs = restyles("watercolor").subList(0, 10);
    run(sim.client(), "out", jobs);
    photo("photo-3.png", 99); // new bytes under the same name: jobs 3 and 8 name it
    sim.resetCounters();

    BatchReport rerun = run(sim.clientBuilder().build(), "out", jobs);

    assertThat(rerun.succeeded()).isEqualTo(2);
    assertThat(rerun.resumption().changed()).isEqualTo(2);
    assertThat(rerun.skipped(SkipReason.ALREADY_DONE)).isEqualTo(8);
    assertThat(sim.counters().edits()).isEqualTo(2);
    assertThat(sim.counters().uploads()).as("only the changed photo is new to the server").isEqualTo(1);

    // The same bytes in another reference directory: the same jobs, nothing to do.
    Path moved = Files.createDirectories(dir.resolve("moved"));
    try (var files = Files.list(photos)) {
      for (Path p : files.toList()) {
        Files.copy(p, moved.resolve(p.getFileName()));
      }
    }
    sim.resetCounters();
    try (ImagePipeline p = pipeline(sim.clientBuilder().build(), "out", b -> b.referenceDirectory(moved)).build()) {
      assertThat(p.run(JobSource.of(jobs)).skipped(SkipReason.ALREADY_DONE)).isEqualTo(10);
    }
    assertThat(sim.counters().presigns()).isZero();
  }

  @Test
  void badReferenceFiles_areRefusedBeforeAnythingIsSent_namingTheRowAndColumn() throws Exception {
    Files.writeString(photos.resolve("notes.png"), "not an image");
    Files.createDirectories(photos.resolve("folder.png"));
    Files.write(photos.resolve("huge.png"), Files.readAllBytes(photos.resolve("photo-0.png")));
    Files.write(photos.resolve("huge.png"), new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(dir.resolve("secret.png"), "outside");
    Path csv = Files.writeString(dir.resolve("photos.csv"),
        "n,photo,style\n"
            + "1,photo-0.png,watercolor\n"
            + "2,missing.png,watercolor\n"
            + "3,notes.png,watercolor\n"
            + "4,folder.png,watercolor\n"
            + "5,huge.png,watercolor\n"
            + "6,../secret.png,watercolor\n"
            + "7,https://example.com/remote.png,watercolor\n");
    CsvJobSource source = CsvJobSource.builder().file(csv).operation(ImageOperation.EDIT).model("nano-banana-pro")
        .promptColumn("style").referenceColumn("photo").outputKey("out/{n}.png").build();
    AnyCapClient capped = sim.clientBuilder().maxUploadBytes(2048).build();

    BatchValidationException e;
    try (ImagePipeline p = pipeline(capped, "out", b -> {}).build()) {
      e = catchThrowableOfType(() -> p.run(source), BatchValidationException.class);
    }

    assertThat(e.problemCount()).isEqualTo(5);
    assertThat(e.problems()).extracting(InvalidJobException::position).extracting(JobPosition::line)
        .containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.field()).contains("photo"));
    assertThat(e.problems()).extracting(InvalidJobException::problem).satisfiesExactly(
        m -> assertThat(m).contains("missing.png", "does not exist"),
        m -> assertThat(m).contains("notes.png", "is not an image"),
        m -> assertThat(m).contains("folder.png", "not a regular file"),
        m -> assertThat(m).contains("huge.png", "over the upload cap of 2048 bytes"),
        m -> assertThat(m).contains("'../secret.png' is outside the reference directory"));
    assertThat(e.getMessage()).contains("photos.csv:3: field 'photo': reference image");
    SimulatorCounters c = sim.counters();
    assertThat(c.presigns() + c.edits() + c.uploads()).as("nothing sent").isZero();
    assertThat(c.requests()).isEmpty();
  }

  @Test
  void upscaleJobs_sendTheImageAndResolution_costTwoCredits_andAreBudgeted() throws Exception {
    List<ImageJob> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(ImageJob.builder().operation(ImageOperation.UPSCALE).reference("photo-" + i + ".png")
          .param("resolution", "4k").outputKey("big/" + i + ".png").build());
    }

    BatchEstimate estimate;
    BatchReport report;
    try (ImagePipeline p = pipeline(sim.client(), "out", b -> b.budget(Budget.credits(5))).build()) {
      estimate = p.estimate(JobSource.of(jobs));
      report = p.run(JobSource.of(jobs));
    }

    assertThat(estimate.credits()).isEqualByComparingTo("6");
    assertThat(estimate.jobsByModel()).containsExactly(Map.entry("upscale", 3L));
    assertThat(report.succeeded()).as("2 + 2 credits fit a budget of 5; a third does not").isEqualTo(2);
    assertThat(report.skipped(SkipReason.BUDGET)).isEqualTo(1);
    assertThat(report.credits()).isEqualByComparingTo("4");
    SimulatorCounters c = sim.counters();
    assertThat(c.upscales()).isEqualTo(2);
    assertThat(c.uploads()).isEqualTo(2);
    for (String body : c.generationsByRequest().keySet()) {
      JsonNode n = JSON.readTree(body.substring("upscale ".length()));
      assertThat(n.get("resolution").asText()).isEqualTo("4k");
      assertThat(n.get("images").get(0).asText()).startsWith(sim.baseUri().resolve("/objects/").toString());
      assertThat(n.has("model")).isFalse();
      assertThat(n.has("prompt")).isFalse();
    }
  }

  @Test
  void aGenerateWithAReference_isImageToImage_andAUrlReferenceIsSentAsItIs() throws Exception {
    ImageJob local = ImageJob.builder().id("local").prompt("the same mug, at night").reference("photo-1.png")
        .outputKey("night.png").build();
    ImageJob remote = ImageJob.builder().id("remote").operation(ImageOperation.EDIT).prompt("make it blue")
        .reference("https://example.com/mug.png").outputKey("blue.png").build();

    BatchReport report = run(sim.client(), "out", List.of(local, remote));

    assertThat(report.succeeded()).isEqualTo(2);
    SimulatorCounters c = sim.counters();
    assertThat(c.presigns()).isEqualTo(1);
    assertThat(c.requests(SimulatorCounters.GENERATE)).isEqualTo(1);
    assertThat(c.edits()).isEqualTo(1);
    for (String body : c.generationsByRequest().keySet()) {
      JsonNode n = JSON.readTree(body.startsWith("edit ") ? body.substring(5) : body);
      if (body.startsWith("edit ")) {
        assertThat(n.get("images").get(0).asText()).isEqualTo("https://example.com/mug.png");
      } else {
        assertThat(n.get("mode").asText()).isEqualTo("image-to-image");
        assertThat(n.get("images").get(0).asText()).startsWith(sim.baseUri().resolve("/objects/").toString());
      }
    }
  }

  @Test
  void aDollarBudget_pricesEditsByTheirModel_andRefusesAnUnpricedUpscale() {
    PriceTable prices = PriceTable.defaults().toBuilder().price("nano-banana-pro", new BigDecimal("0.01")).build();
    ImageJob edit = restyles("ink").get(0);
    ImageJob upscale = ImageJob.builder().id("big").operation(ImageOperation.UPSCALE).reference("photo-0.png")
        .outputKey("big.png").build();

    BatchValidationException e;
    BatchEstimate estimate;
    try (ImagePipeline p = pipeline(sim.client(), "out", b -> b.prices(prices).budget(Budget.dollars("1"))).build()) {
      estimate = p.estimate(JobSource.of(List.of(edit, upscale)));
      e = catchThrowableOfType(() -> p.run(JobSource.of(List.of(edit, upscale))), BatchValidationException.class);
    }

    assertThat(estimate.usd()).isEqualByComparingTo("0.01");
    assertThat(estimate.unpricedModels()).containsExactly("upscale");
    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).contains("model");
      assertThat(p.problem()).contains("upscale has no price in the price table");
    });
    assertThat(sim.counters().requests()).isEmpty();
  }

  @Test
  void aPhotoDeletedAfterTheCheck_skipsItsJobWithoutSendingIt_orFailsItWithoutAJournal() throws Exception {
    List<ImageJob> jobs = restyles("ink").subList(0, 5);

    BatchReport journaled;
    try (ImagePipeline p = pipeline(sim.client(), "out", b -> {}).build()) {
      journaled = p.run(deletedOnSecondPass(jobs, "photo-4.png"));
    }
    assertThat(journaled.succeeded()).isEqualTo(4);
    assertThat(journaled.skipped(SkipReason.INVALID)).as("its fingerprint needs the file's bytes").isEqualTo(1);
    assertThat(sim.counters().edits()).isEqualTo(4);

    photo("photo-4.png", 4);
    sim.resetCounters();
    PipelineFixtures.RecordingListener listener = new PipelineFixtures.RecordingListener();
    BatchReport unjournaled;
    try (ImagePipeline p = ImagePipeline.builder().client(sim.clientBuilder().build()).referenceDirectory(photos)
        .outputRoot(dir.resolve("plain")).listener(listener).build()) {
      unjournaled = p.run(deletedOnSecondPass(jobs, "photo-4.png"));
    }
    assertThat(unjournaled.succeeded()).isEqualTo(4);
    assertThat(listener.results).filteredOn(r -> r instanceof JobResult.Failed).singleElement()
        .satisfies(r -> {
          JobResult.Failed f = (JobResult.Failed) r;
          assertThat(f.errorCode()).isEqualTo("UPLOAD_FILE_MISSING");
          assertThat(f.message()).contains("photo-4.png");
          assertThat(f.attempts()).as("the edit was never sent").isZero();
        });
    assertThat(sim.counters().edits()).isEqualTo(4);
    assertThat(sim.counters().presigns()).isEqualTo(4);
  }

  /** The jobs, with {@code photo} deleted once the check has read them and before they run. */
  private JobSource deletedOnSecondPass(List<ImageJob> jobs, String photo) {
    return new JobSource() {
      private int opened;

      @Override
      public JobReader open() {
        if (++opened == 2) {
          try {
            Files.delete(photos.resolve(photo));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return JobSource.of(jobs).open();
      }
    };
  }

  @Test
  void failedUploads_areRetriedAsUploads_neverCountedAsPossiblyBilled_andARefusedOneFailsItsJob() throws Exception {
    sim.addFault(Fault.uploadStatus(503).onRequests(1, 2, 3)); // the client's own three PUT attempts
    List<ImageJob> one = restyles("ink").subList(0, 1);

    BatchReport retried = run(sim.client(), "out", one);

    assertThat(retried.succeeded()).isEqualTo(1);
    assertThat(retried.retries()).as("the upload, tried again by the pipeline").isEqualTo(1);
    assertThat(retried.possiblyBilled().attempts()).isZero();
    SimulatorCounters c = sim.counters();
    assertThat(c.requests(SimulatorCounters.UPLOAD, 503)).isEqualTo(3);
    assertThat(c.presigns()).isEqualTo(2);
    assertThat(c.uploads()).isEqualTo(1);
    assertThat(c.edits()).isEqualTo(1);

    sim.clearFaults();
    sim.addFault(Fault.presignStatus(413));
    sim.resetCounters();
    PipelineFixtures.RecordingListener listener = new PipelineFixtures.RecordingListener();
    BatchReport refused;
    try (ImagePipeline p = pipeline(sim.clientBuilder().build(), "refused", b -> b.listener(listener)).build()) {
      refused = p.run(JobSource.of(restyles("oil").subList(1, 2)));
    }
    assertThat(refused.failed()).isEqualTo(1);
    assertThat(refused.possiblyBilled().attempts()).isZero();
    assertThat(((JobResult.Failed) listener.results.get(0)).errorCode()).isEqualTo("FILE_TOO_LARGE");
    assertThat(sim.counters().presigns()).isZero();
    assertThat(sim.counters().requests(SimulatorCounters.PRESIGN)).as("a 413 is not tried again").isEqualTo(1);
    assertThat(sim.counters().edits()).isZero();
  }

  private long sizeOfPhotos() throws IOException {
    long total = 0;
    for (int i = 0; i < 5; i++) {
      total += Files.size(photos.resolve("photo-" + i + ".png"));
    }
    return total;
  }
}

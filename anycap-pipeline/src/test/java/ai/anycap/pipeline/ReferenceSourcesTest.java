package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.ImageOperation;
import ai.anycap.pipeline.JobPasses.Pass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How sources and jobs name reference images and operations. */
class ReferenceSourcesTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void csvReferenceColumns_giveEachRowItsReferences_andAnEmptyCellIsRefusedNamingTheColumn() throws IOException {
    Path csv = write("photos.csv", "photo,style,mask\nmug.png,watercolor,m1.png\n,ink,m2.png\nlamp.png , oil,m3.png\n");
    CsvJobSource source = CsvJobSource.builder().file(csv).operation(ImageOperation.EDIT).promptColumn("style")
        .referenceColumn("photo").referenceColumn("mask").outputKey("{style}.png").build();

    Pass pass = JobPasses.readAll(source);

    assertThat(pass.jobs()).extracting(ImageJob::references)
        .containsExactly(java.util.List.of("mug.png", "m1.png"), java.util.List.of("lamp.png", "m3.png"));
    assertThat(pass.jobs()).extracting(ImageJob::operation).containsOnly(ImageOperation.EDIT);
    InvalidJobException e = pass.onlyError();
    assertThat(e.position()).isEqualTo(new JobPosition("photos.csv", 3));
    assertThat(e.field()).contains("photo");
    assertThat(e.problem()).contains("column is empty, but it holds the row's reference image");
  }

  @Test
  void csvUpscales_takeNoPrompt_andEditsAndUpscalesNeedAReferenceColumn() throws IOException {
    Path csv = write("photos.csv", "photo\nmug.png\n");
    CsvJobSource upscale = CsvJobSource.builder().file(csv).operation(ImageOperation.UPSCALE)
        .referenceColumn("photo").param("resolution", "4k").outputKey("big/{photo}").build();

    ImageJob job = JobPasses.readAll(upscale).jobs().get(0);
    assertThat(job.operation()).isEqualTo(ImageOperation.UPSCALE);
    assertThat(job.template()).isNull();
    assertThat(job.prompt()).isNull();
    assertThat(job.params()).containsEntry("resolution", "4k");

    assertThatThrownBy(() -> CsvJobSource.builder().file(csv).operation(ImageOperation.UPSCALE).template("t")
        .referenceColumn("photo").outputKey("{photo}").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("an upscale takes no prompt");
    assertThatThrownBy(() -> CsvJobSource.builder().file(csv).operation(ImageOperation.EDIT).promptColumn("photo")
        .outputKey("{photo}").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a referenceColumn");
    assertThatThrownBy(() -> CsvJobSource.builder().operation(ImageOperation.READ))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a read answers text");
    InvalidJobException missing = JobPasses.readAll(CsvJobSource.builder().file(csv).promptColumn("photo")
        .referenceColumn("picture").outputKey("{photo}").build()).onlyError();
    assertThat(missing.field()).contains("picture");
    assertThat(missing.problem()).contains("used by referenceColumn");
  }

  @Test
  void jsonLines_nameTheirOperation_andUpscaleLinesIgnoreTheDefaultTemplate() throws IOException {
    Path jsonl = write("jobs.jsonl",
        "{\"operation\": \"upscale\", \"references\": [\"a.png\"], \"params\": {\"resolution\": \"4k\"}, \"output\": \"a.png\"}\n"
            + "{\"references\": [\"b.png\", \"https://example.com/c.png\"], \"output\": \"b.png\"}\n");
    JsonLinesJobSource source = JsonLinesJobSource.builder().file(jsonl).template("t")
        .operation(ImageOperation.EDIT).build();

    Pass pass = JobPasses.readAll(source);

    assertThat(pass.errors()).isEmpty();
    assertThat(pass.jobs().get(0).operation()).isEqualTo(ImageOperation.UPSCALE);
    assertThat(pass.jobs().get(0).template()).isNull();
    assertThat(pass.jobs().get(1).operation()).as("the source's default").isEqualTo(ImageOperation.EDIT);
    assertThat(pass.jobs().get(1).template()).isEqualTo("t");
    assertThat(pass.jobs().get(1).references()).containsExactly("b.png", "https://example.com/c.png");
  }

  @Test
  void aJobsJson_carriesItsOperationAndReferences() {
    ImageJob edit = ImageJob.builder().id("e").operation(ImageOperation.EDIT).prompt("ink")
        .reference(Path.of("photos/mug.png")).reference("anycap://upload/file_1").outputKey("e.png").build();
    ImageJob plain = ImageJob.builder().prompt("a crane").outputKey("c.png").build();

    assertThat(ImageJob.fromJson(edit.toJson())).isEqualTo(edit);
    assertThat(edit.toJson()).contains("\"operation\":\"edit\"", "\"references\":[\"photos/mug.png\",\"anycap://upload/file_1\"]");
    assertThat(plain.toJson()).as("a generate's JSON is as before").doesNotContain("operation", "references");
    assertThat(ImageJob.fromJson(plain.toJson()).operation()).isEqualTo(ImageOperation.GENERATE);
  }

  @Test
  void imageJob_refusesReads_promptedUpscales_andEditsWithoutAReference() {
    assertThatThrownBy(() -> ImageJob.builder().operation(ImageOperation.READ).prompt("p").reference("a.png")
        .outputKey("o.png").build()).hasMessageContaining("a read answers text, not an image");
    assertThatThrownBy(() -> ImageJob.builder().operation(ImageOperation.UPSCALE).prompt("p").reference("a.png")
        .outputKey("o.png").build()).hasMessageContaining("an upscale takes no prompt");
    assertThatThrownBy(() -> ImageJob.builder().operation(ImageOperation.EDIT).prompt("p").outputKey("o.png").build())
        .hasMessageContaining("an edit needs a reference image");
    assertThatThrownBy(() -> ImageJob.builder().prompt("p").reference(" ").outputKey("o.png").build())
        .hasMessageContaining("blank reference");
    assertThat(ImageJob.builder().operation(ImageOperation.UPSCALE).reference("a.png").outputKey("o.png").build()
        .toBuilder().build().references()).containsExactly("a.png");
  }
}

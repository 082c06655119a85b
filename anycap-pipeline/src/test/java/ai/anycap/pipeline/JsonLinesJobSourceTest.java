package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.Mode;
import ai.anycap.pipeline.JobPasses.Pass;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonLinesJobSourceTest {

  @TempDir Path dir;

  /** Test JSON with ' for ", to keep it readable. */
  private static String json(String text) {
    return text.replace('\'', '"');
  }

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("jobs.jsonl"), json(content), StandardCharsets.UTF_8);
  }

  private Pass read(String content) throws IOException {
    return JobPasses.readAll(JsonLinesJobSource.builder().file(write(content)).build());
  }

  @Test
  void fullLine_becomesJobWithEveryField() throws IOException {
    Pass pass =
        read(
            "{'id': 'a1', 'template': 'product_hero', 'values': {'sku': 'A1', 'qty':"
                + " 3, 'price': 1.5, 'new': true}, 'model': 'seedream-5', 'mode':"
                + " 'image-to-image', 'params': {'aspect_ratio': '1:1', 'seed': 7,"
                + " 'tags': ['a', 2]}, 'references': ['https://example.com/a.jpg'],"
                + " 'output': 'a1.png'}\n");

    assertThat(pass.errors()).isEmpty();
    ImageJob job = pass.jobs().get(0);
    assertThat(job.id()).isEqualTo("a1");
    assertThat(job.template()).isEqualTo("product_hero");
    assertThat(job.prompt()).isNull();
    assertThat(job.values())
        .containsExactly(
            Map.entry("sku", "A1"),
            Map.entry("qty", "3"),
            Map.entry("price", "1.5"),
            Map.entry("new", "true"));
    assertThat(job.model()).isEqualTo("seedream-5");
    assertThat(job.mode()).isEqualTo(Mode.IMAGE_TO_IMAGE);
    assertThat(job.params())
        .containsExactly(
            Map.entry("aspect_ratio", "1:1"),
            Map.entry("seed", 7),
            Map.entry("tags", List.of("a", 2)));
    assertThatThrownBy(() -> ((List<?>) job.params().get("tags")).clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(job.references()).containsExactly("https://example.com/a.jpg");
    assertThat(job.operation()).isEqualTo(ImageOperation.GENERATE);
    assertThat(job.outputKey()).isEqualTo("a1.png");
    assertThat(pass.lines()).containsExactly(1L);
  }

  @Test
  void minimalLine_idDefaultsToOutput_andLiteralPromptNeedsNoTemplate() throws IOException {
    ImageJob job = read("{'prompt': 'a paper crane', 'output': 'crane.png'}").jobs().get(0);

    assertThat(job.id()).isEqualTo("crane.png");
    assertThat(job.prompt()).isEqualTo("a paper crane");
    assertThat(job.template()).isNull();
    assertThat(job.model()).isNull();
    assertThat(job.mode()).isNull();
    assertThat(job.values()).isEmpty();
    assertThat(job.params()).isEmpty();
    assertThat(job.references()).isEmpty();
  }

  @Test
  void builderDefaults_fillWhatLinesLeaveOut_andLinesWin() throws IOException {
    Path file =
        write(
            "{'values': {'sku': 'A1'}, 'output': 'a1.png'}\n"
                + "{'template': 'banner', 'model': 'seedream-5', 'params':"
                + " {'aspect_ratio': '16:9'}, 'output': 'b.png'}\n"
                + "{'prompt': 'literal', 'output': 'c.png'}\n");
    JsonLinesJobSource source =
        JsonLinesJobSource.builder()
            .file(file)
            .template("product_hero")
            .model("nano-banana-2")
            .param("aspect_ratio", "1:1")
            .param("resolution", "2k")
            .build();

    List<ImageJob> jobs = JobPasses.readAll(source).jobs();

    assertThat(jobs).extracting(ImageJob::template).containsExactly("product_hero", "banner", null);
    assertThat(jobs.get(2).prompt()).isEqualTo("literal");
    assertThat(jobs)
        .extracting(ImageJob::model)
        .containsExactly("nano-banana-2", "seedream-5", "nano-banana-2");
    assertThat(jobs.get(0).params())
        .containsExactly(Map.entry("aspect_ratio", "1:1"), Map.entry("resolution", "2k"));
    assertThat(jobs.get(1).params())
        .containsExactly(Map.entry("aspect_ratio", "16:9"), Map.entry("resolution", "2k"));
  }

  @Test
  void blankLines_areSkipped_andLineNumbersStayPhysical() throws IOException {
    Pass pass =
        read(
            "\n{'prompt': 'a', 'output': 'a.png'}\r\n   \n\n"
                + "{'prompt': 'b', 'output': 'b.png'}\n\n");

    assertThat(pass.ids()).containsExactly("a.png", "b.png");
    assertThat(pass.lines()).containsExactly(2L, 5L);
  }

  @Test
  void lastLineWithoutNewline_isRead() throws IOException {
    Pass pass = read("{'prompt': 'a', 'output': 'a.png'}\n{'prompt': 'b', 'output': 'b.png'}");

    assertThat(pass.ids()).containsExactly("a.png", "b.png");
  }

  @Test
  void byteOrderMark_onFirstLine_isIgnored() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    bytes.write(json("{'prompt': 'a', 'output': 'a.png'}\n").getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir.resolve("bom.jsonl"), bytes.toByteArray());

    Pass pass = JobPasses.readAll(JsonLinesJobSource.builder().file(file).build());

    assertThat(pass.errors()).isEmpty();
    assertThat(pass.ids()).containsExactly("a.png");
  }

  @Test
  void nullKeys_countAsAbsent() throws IOException {
    ImageJob job =
        read(
                "{'id': null, 'template': null, 'prompt': 'p', 'model': null, 'values':"
                    + " null, 'params': null, 'references': null, 'mode': null, 'output':"
                    + " 'p.png'}")
            .jobs()
            .get(0);

    assertThat(job.id()).isEqualTo("p.png");
    assertThat(job.prompt()).isEqualTo("p");
  }

  /** A bad line among good ones: the error's line and field, and reading goes on after it. */
  static Stream<Arguments> badLines() {
    return Stream.of(
        Arguments.of("{'prompt': 'x', 'output': 'x.png', 'colour': 'red'}", "colour",
            "unknown key; allowed keys: id, operation, template, prompt, values, model, mode, params,"
                + " references, output"),
        Arguments.of("{'prompt': 'x', 'output': ", null, "line is not valid JSON"),
        Arguments.of("not json at all", null, "line is not valid JSON (at column "),
        Arguments.of("{'prompt': 'x', 'output': 'x.png'} {}", null, "line is not valid JSON"),
        Arguments.of("{'prompt': 'x', 'prompt': 'y', 'output': 'x.png'}", null,
            "Duplicate field 'prompt'"),
        Arguments.of("['prompt', 'x']", null, "expected a JSON object per line, found array"),
        Arguments.of("{'prompt': 'x'}", "output", "required"),
        Arguments.of("{'prompt': 'x', 'output': '  '}", "output", "must not be blank"),
        Arguments.of("{'prompt': 'x', 'output': 5}", "output", "must be a string, found number"),
        Arguments.of("{'template': 't', 'prompt': 'x', 'output': 'x.png'}", "prompt",
            "not both"),
        Arguments.of("{'values': {'a': 'b'}, 'output': 'x.png'}", "template",
            "needs \"template\" or \"prompt\""),
        Arguments.of("{'prompt': 'x', 'values': {'sku': {'a': 1}}, 'output': 'x.png'}",
            "values.sku", "must be a string, number or boolean, found object"),
        Arguments.of("{'prompt': 'x', 'values': {'sku': null}, 'output': 'x.png'}",
            "values.sku", "found null"),
        Arguments.of("{'prompt': 'x', 'values': ['a'], 'output': 'x.png'}", "values",
            "must be an object"),
        Arguments.of("{'prompt': 'x', 'params': {'style': {'a': 1}}, 'output': 'x.png'}",
            "params.style", "must be a string, number, boolean or list of those, not an object"),
        Arguments.of("{'prompt': 'x', 'params': {'prompt': 'y'}, 'output': 'x.png'}",
            "params.prompt", "is not a model parameter"),
        Arguments.of("{'prompt': 'x', 'references': 'https://a.example/x.jpg', 'output':"
            + " 'x.png'}", "references", "must be an array"),
        Arguments.of("{'prompt': 'x', 'references': ['https://a.example/x.jpg', 3], 'output':"
            + " 'x.png'}", "references[1]", "must be a path or an http(s) URL string, found number"),
        Arguments.of("{'prompt': 'x', 'references': [' '], 'output': 'x.png'}",
            "references[0]", "must not be blank"),
        Arguments.of("{'operation': 'inpaint', 'prompt': 'x', 'output': 'x.png'}", "operation",
            "unknown image operation 'inpaint'"),
        Arguments.of("{'operation': 'read', 'prompt': 'x', 'references': ['a.png'], 'output': 'x.png'}",
            "operation", "a read answers text, not an image"),
        Arguments.of("{'operation': 'edit', 'prompt': 'x', 'output': 'x.png'}", "references",
            "an edit needs a reference image"),
        Arguments.of("{'operation': 'upscale', 'prompt': 'x', 'references': ['a.png'], 'output': 'x.png'}",
            "prompt", "an upscale takes no prompt"),
        Arguments.of("{'prompt': 'x', 'mode': 3, 'output': 'x.png'}", "mode",
            "must be a string"));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("badLines")
  void badLine_namesLineAndKey_andReadingGoesOn(String bad, String field, String problem)
      throws IOException {
    Pass pass =
        read(
            "{'prompt': 'a', 'output': 'a.png'}\n\n"
                + bad
                + "\n{'prompt': 'b', 'output': 'b.png'}\n");

    InvalidJobException e = pass.onlyError();
    assertThat(e.position()).isEqualTo(new JobPosition("jobs.jsonl", 3));
    assertThat(e.field()).isEqualTo(Optional.ofNullable(field));
    assertThat(e.problem()).contains(problem);
    assertThat(e).hasMessageStartingWith("jobs.jsonl:3: ");
    assertThat(pass.ids()).containsExactly("a.png", "b.png");
    assertThat(pass.lines()).containsExactly(1L, 4L);
  }

  @Test
  void invalidUtf8Line_isReportedAtItsLine_andReadingGoesOn() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(json("{'prompt': 'a', 'output': 'a.png'}\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(json("{'prompt': 'caf").getBytes(StandardCharsets.UTF_8));
    bytes.write(0xE9);
    bytes.write(json("', 'output': 'c.png'}\n").getBytes(StandardCharsets.UTF_8));
    bytes.write(json("{'prompt': 'b', 'output': 'b.png'}\n").getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir.resolve("latin1.jsonl"), bytes.toByteArray());

    Pass pass = JobPasses.readAll(JsonLinesJobSource.builder().file(file).build());

    InvalidJobException e = pass.onlyError();
    assertThat(e.position()).isEqualTo(new JobPosition("latin1.jsonl", 2));
    assertThat(e.problem())
        .isEqualTo("line is not valid UTF-8: byte 0xE9 at byte 16 of the line cannot be decoded");
    assertThat(pass.ids()).containsExactly("a.png", "b.png");
  }

  @Test
  void nonAsciiText_isDecodedAsUtf8() throws IOException {
    ImageJob job = read("{'prompt': 'café crème ☕', 'output': 'café.png'}").jobs().get(0);

    assertThat(job.prompt()).isEqualTo("café crème ☕");
    assertThat(job.outputKey()).isEqualTo("café.png");
  }

  @Test
  void open_twice_yieldsSameJobs() throws IOException {
    Path file =
        write(
            "{'template': 't', 'values': {'k': '1'}, 'output': '1.png'}\n"
                + "{'prompt': 'p', 'output': '2.png'}\n");
    JsonLinesJobSource source = JsonLinesJobSource.builder().file(file).build();

    Pass first = JobPasses.readAll(source);
    Pass second = JobPasses.readAll(source);

    assertThat(first.jobs()).hasSize(2);
    assertThat(second.jobs()).isEqualTo(first.jobs());
  }

  @Test
  void longLines_andManyLines_areRead() throws IOException {
    StringBuilder content = new StringBuilder();
    String longPrompt = "x".repeat(200_000);
    content.append("{'prompt': '").append(longPrompt).append("', 'output': 'long.png'}\n");
    for (int i = 0; i < 20_000; i++) {
      content.append("{'prompt': 'p', 'output': '").append(i).append(".png'}\n");
    }

    Pass pass = read(content.toString());

    assertThat(pass.errors()).isEmpty();
    assertThat(pass.jobs()).hasSize(20_001);
    assertThat(pass.jobs().get(0).prompt()).hasSize(200_000);
    assertThat(pass.lines().get(20_000)).isEqualTo(20_001L);
  }

  @Test
  void description_isFileName() throws IOException {
    JsonLinesJobSource source = JsonLinesJobSource.builder().file(write("")).build();

    assertThat(source.description()).isEqualTo("jobs.jsonl");
    assertThat(JobPasses.readAll(source).jobs()).isEmpty();
  }

  @Test
  void missingFile_isInvalidJobAtLineZero() {
    Path missing = dir.resolve("nope.jsonl");
    JsonLinesJobSource source = JsonLinesJobSource.builder().file(missing).build();

    InvalidJobException e = catchThrowableOfType(InvalidJobException.class, source::open);

    assertThat(e.position()).isEqualTo(new JobPosition("nope.jsonl", 0));
    assertThat(e.problem()).isEqualTo("file not found: " + missing.toAbsolutePath());
  }

  @Test
  void build_withoutFile_namesIt() {
    assertThatThrownBy(() -> JsonLinesJobSource.builder().model("nano-banana-2").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("file");
  }

  @Test
  void next_afterClose_fails() throws IOException {
    JobReader reader = JsonLinesJobSource.builder().file(write("")).build().open();
    reader.close();

    assertThatThrownBy(reader::next).isInstanceOf(IllegalStateException.class);
  }
}

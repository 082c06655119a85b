package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.anycap.client.PromptTemplate;
import ai.anycap.pipeline.JobPasses.Pass;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URISyntaxException;
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

class CsvJobSourceTest {

  @TempDir Path dir;

  private static Path resource(String name) {
    try {
      return Path.of(CsvJobSourceTest.class.getResource("/jobs/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The seed's setup: columns name,color,sku, template product_hero, key {sku}.png. */
  private static CsvJobSource.Builder products(Path file) {
    return CsvJobSource.builder().file(file).template("product_hero").outputKey("{sku}.png");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void seedExample_yieldsOneTemplatedJobPerRowKeyedBySku() {
    Pass pass = JobPasses.readAll(products(resource("products.csv")).build());

    assertThat(pass.errors()).isEmpty();
    assertThat(pass.jobs())
        .extracting(ImageJob::outputKey)
        .containsExactly("LAMP-01.png", "MUG-02.png", "NOTE-03.png");
    ImageJob lamp = pass.jobs().get(0);
    assertThat(lamp.id()).isEqualTo("LAMP-01.png");
    assertThat(lamp.template()).isEqualTo("product_hero");
    assertThat(lamp.prompt()).isNull();
    assertThat(lamp.model()).isNull();
    assertThat(lamp.params()).isEmpty();
    assertThat(lamp.values())
        .containsExactly(
            Map.entry("name", "Desk Lamp"),
            Map.entry("color", "teal"),
            Map.entry("sku", "LAMP-01"));
    assertThat(pass.lines()).containsExactly(2L, 3L, 4L);
  }

  @Test
  void value_renamesColumnForTemplate_soSeedTemplateRenders() {
    PromptTemplate productHero =
        PromptTemplate.of(
            "product_hero",
            "E-commerce product photo: {product_name}, {color}, studio lighting, white"
                + " background, 1024x1024, commercial photography");
    CsvJobSource source =
        products(resource("products.csv")).value("product_name", "{name}").build();

    ImageJob mug = JobPasses.readAll(source).jobs().get(1);

    assertThat(mug.values())
        .containsEntry("product_name", "Coffee Mug")
        .containsEntry("name", "Coffee Mug");
    assertThat(productHero.render(mug.values()))
        .isEqualTo(
            "E-commerce product photo: Coffee Mug, red, studio lighting, white background,"
                + " 1024x1024, commercial photography");
  }

  @Test
  void description_isFileName_andPositionsUseIt() {
    CsvJobSource source = products(resource("products.csv")).build();

    assertThat(source.description()).isEqualTo("products.csv");
    try (JobReader reader = source.open()) {
      assertThat(reader.position()).isEqualTo(new JobPosition("products.csv", 0));
      reader.next();
      assertThat(reader.position()).isEqualTo(new JobPosition("products.csv", 2));
      assertThat(reader.position()).hasToString("products.csv:2");
    }
  }

  @Test
  void open_twice_yieldsSameJobsInSameOrder() {
    CsvJobSource source = products(resource("products.csv")).idColumn("sku").build();

    Pass first = JobPasses.readAll(source);
    Pass second = JobPasses.readAll(source);

    assertThat(first.jobs()).hasSize(3);
    assertThat(second.jobs()).isEqualTo(first.jobs());
    assertThat(second.lines()).isEqualTo(first.lines());
  }

  @Test
  void twoOpenReaders_areIndependent() {
    CsvJobSource source = products(resource("products.csv")).build();

    try (JobReader a = source.open();
        JobReader b = source.open()) {
      assertThat(a.next()).map(ImageJob::id).contains("LAMP-01.png");
      assertThat(a.next()).map(ImageJob::id).contains("MUG-02.png");
      assertThat(b.next()).map(ImageJob::id).contains("LAMP-01.png");
    }
  }

  @Test
  void idColumn_setsIdFromCell_andEmptyCellIsAnError() throws IOException {
    Path file = write("ids.csv", "name,sku,key\nMug,MUG-1,a\nLamp,,b\nDesk,DESK-1,c\n");

    Pass pass =
        JobPasses.readAll(
            CsvJobSource.builder()
                .file(file)
                .template("t")
                .outputKey("out/{key}.png")
                .idColumn("sku")
                .build());

    assertThat(pass.ids()).containsExactly("MUG-1", "DESK-1");
    assertThat(pass.jobs())
        .extracting(ImageJob::outputKey)
        .containsExactly("out/a.png", "out/c.png");
    InvalidJobException e = pass.onlyError();
    assertThat(e.position()).isEqualTo(new JobPosition("ids.csv", 3));
    assertThat(e.field()).contains("sku");
    assertThat(e).hasMessageStartingWith("ids.csv:3: field 'sku': column is empty");
  }

  @Test
  void promptColumn_usesCellAsLiteralPrompt() throws IOException {
    Path file =
        write(
            "prompts.csv",
            "file,prompt\ncrane,\"a paper crane, on a table\"\nempty,\nboat,a paper boat\n");

    Pass pass =
        JobPasses.readAll(
            CsvJobSource.builder()
                .file(file)
                .promptColumn("prompt")
                .outputKey("{file}.png")
                .build());

    assertThat(pass.jobs())
        .extracting(ImageJob::prompt)
        .containsExactly("a paper crane, on a table", "a paper boat");
    assertThat(pass.jobs()).extracting(ImageJob::template).containsOnlyNulls();
    assertThat(pass.jobs().get(0).values()).containsEntry("prompt", "a paper crane, on a table");
    InvalidJobException e = pass.onlyError();
    assertThat(e.position().line()).isEqualTo(3);
    assertThat(e.field()).contains("prompt");
  }

  @Test
  void modelColumn_overridesDefaultWhenNonEmpty() throws IOException {
    Path file = write("models.csv", "sku,model\nA,seedream-5\nB,\nC, nano-banana-pro \n");

    List<ImageJob> withDefault =
        JobPasses.readAll(
                products(file).modelColumn("model").model("nano-banana-2").build())
            .jobs();
    List<ImageJob> withoutDefault =
        JobPasses.readAll(products(file).modelColumn("model").build()).jobs();

    assertThat(withDefault)
        .extracting(ImageJob::model)
        .containsExactly("seedream-5", "nano-banana-2", "nano-banana-pro");
    assertThat(withoutDefault)
        .extracting(ImageJob::model)
        .containsExactly("seedream-5", null, "nano-banana-pro");
  }

  @Test
  void model_withoutColumn_appliesToEveryRow() {
    List<ImageJob> jobs =
        JobPasses.readAll(products(resource("products.csv")).model("seedream-5").build()).jobs();

    assertThat(jobs).extracting(ImageJob::model).containsOnly("seedream-5").hasSize(3);
  }

  @Test
  void params_applyToEveryRow() {
    List<ImageJob> jobs =
        JobPasses.readAll(
                products(resource("products.csv"))
                    .param("aspect_ratio", "1:1")
                    .param("seed", 42)
                    .build())
            .jobs();

    assertThat(jobs).hasSize(3);
    assertThat(jobs)
        .allSatisfy(
            job ->
                assertThat(job.params())
                    .containsExactly(Map.entry("aspect_ratio", "1:1"), Map.entry("seed", 42)));
  }

  @Test
  void param_reservedOrObjectValue_isRefusedByBuilder() {
    assertThatThrownBy(() -> CsvJobSource.builder().param("prompt", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'prompt'");
    assertThatThrownBy(() -> CsvJobSource.builder().param("style", Map.of("a", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'style'");
  }

  @Test
  void outputKey_mayCombineColumns_andKeepsNonAsciiCells() throws IOException {
    Path file = write("cafe.csv", "name,color,sku\nCafé crème,beige,CAFÉ-1\n");

    ImageJob job =
        JobPasses.readAll(products(file).outputKey("{color}/{sku}.png").build()).jobs().get(0);

    assertThat(job.outputKey()).isEqualTo("beige/CAFÉ-1.png");
    assertThat(job.values()).containsEntry("name", "Café crème");
  }

  @Test
  void cells_areKeptAsIs_butHeaderNamesAreStripped() throws IOException {
    Path file = write("spaces.csv", " name , sku \n  Mug  , M1\n");

    ImageJob job = JobPasses.readAll(products(file).build()).jobs().get(0);

    assertThat(job.values()).containsExactly(Map.entry("name", "  Mug  "), Map.entry("sku", " M1"));
    assertThat(job.outputKey()).isEqualTo(" M1.png");
  }

  @Test
  void separator_readsSemicolonFiles() throws IOException {
    Path file = write("semi.csv", "name;color;sku\n\"Mug; large\";red;M1\n");

    ImageJob job = JobPasses.readAll(products(file).separator(';').build()).jobs().get(0);

    assertThat(job.values())
        .containsExactly(
            Map.entry("name", "Mug; large"), Map.entry("color", "red"), Map.entry("sku", "M1"));
  }

  @Test
  void crlfLineEndings_countOneLineEach() throws IOException {
    Path file =
        write(
            "crlf.csv",
            "name,color,sku\r\nMug,red,M1\r\n\r\n\"Lamp\r\ntall\",teal,L1\r\nDesk,oak,D1\r\n");

    Pass pass = JobPasses.readAll(products(file).build());

    assertThat(pass.ids()).containsExactly("M1.png", "L1.png", "D1.png");
    assertThat(pass.lines()).containsExactly(2L, 4L, 6L);
    assertThat(pass.jobs().get(1).values()).containsEntry("name", "Lamp\r\ntall");
  }

  static Stream<Arguments> validFiles() {
    return Stream.of(
        Arguments.of("good/header-only.csv", List.of(), List.of()),
        Arguments.of("good/bom.csv", List.of("MUG-1.png"), List.of(2L)),
        Arguments.of(
            "good/quoted-multiline.csv", List.of("MUG-1.png", "LAMP-1.png"), List.of(2L, 4L)),
        Arguments.of("good/blank-lines.csv", List.of("MUG-1.png", "LAMP-1.png"), List.of(4L, 7L)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void validEdgeCaseFile_readsWithoutErrors_atPhysicalLines(
      String file, List<String> ids, List<Long> lines) {
    Pass pass = JobPasses.readAll(products(resource(file)).build());

    assertThat(pass.errors()).isEmpty();
    assertThat(pass.ids()).isEqualTo(ids);
    assertThat(pass.lines()).isEqualTo(lines);
  }

  @Test
  void bomFile_firstColumnIsNamedWithoutBom() {
    ImageJob job = JobPasses.readAll(products(resource("good/bom.csv")).build()).jobs().get(0);

    assertThat(job.values().keySet()).containsExactly("name", "color", "sku");
  }

  @Test
  void quotedMultilineCell_keepsLineBreakAndDoubledQuotes() {
    ImageJob mug =
        JobPasses.readAll(products(resource("good/quoted-multiline.csv")).build()).jobs().get(0);

    assertThat(mug.values()).containsEntry("name", "Mug\nwith a \"handle\"");
  }

  /**
   * Each bad file: the line and field its one error must name, a phrase of the problem, and the
   * jobs still read around it (reading goes on after a bad row, not after broken quoting or
   * encoding).
   */
  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("missing-cell.csv", 3, "sku", "row has 2 cells but the header has 3 columns",
            List.of("MUG-1.png", "DESK-1.png")),
        Arguments.of("extra-cell.csv", 3, null, "row has 4 cells but the header has only 3",
            List.of("MUG-1.png", "DESK-1.png")),
        Arguments.of("missing-column.csv", 1, "sku", "column 'sku' (used by outputKey '{sku}.png')"
            + " is not in the header; the header has [name, color, code]", List.of()),
        Arguments.of("unclosed-quote.csv", 4, "color", "unclosed quote", List.of("MUG-1.png")),
        Arguments.of("malformed-quote.csv", 2, "color", "malformed CSV at line 2", List.of()),
        Arguments.of("duplicate-header.csv", 1, "color", "appears twice in the header (columns 2"
            + " and 4)", List.of()),
        Arguments.of("empty-header-name.csv", 1, null, "header column 2 has no name", List.of()),
        Arguments.of("empty.csv", 1, null, "the file is empty", List.of()),
        Arguments.of("blank-lines-only.csv", 1, null, "the file is empty", List.of()),
        Arguments.of("bad-utf8.csv", 3, null, "not valid UTF-8: byte 0xE9", List.of("MUG-1.png")));
  }

  @Test
  void columns_areTheHeadersNames_andAHeaderThatIsNotUtf8FailsAsOpenDoes() throws IOException {
    Path good = write("p.csv", "\uFEFF name , color,sku\nMug,red,M1\n");
    assertThat(products(good).build().columns()).containsExactly("name", "color", "sku");

    Path latin1 = Files.write(dir.resolve("l.csv"), "d\u00e9signation,sku\nMug,M1\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> products(latin1).build().columns())
        .isInstanceOf(InvalidJobException.class)
        .hasMessageStartingWith("l.csv:1: not valid UTF-8: byte 0xE9 at byte column 2 ")
        .hasMessageContaining("iconv -f latin1 -t utf-8 l.csv > l-utf8.csv");
  }

  /**
   * A byte that is not UTF-8 in the header, early in the file (inside the first 8 KB the reader
   * decodes at once), and far in, on a line that straddles two of its buffers.
   */
  @ParameterizedTest(name = "{0} good rows, then {1} bytes before the bad one")
  @org.junit.jupiter.params.provider.CsvSource({"-1, 3", "0, 9", "3, 4", "30, 2", "600, 7000", "900, 20"})
  void notUtf8_namesTheLineAndByteColumn_andSaysHowToConvert(int goodRows, int prefix) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    long line = 1;
    if (goodRows < 0) {
      bytes.write("nam".getBytes(StandardCharsets.UTF_8)); // the header itself: "namé,color,sku"
    } else {
      bytes.write("name,color,sku\n".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < goodRows; i++) {
        bytes.write(("Mug,red,MUG-" + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      line = goodRows + 2;
      bytes.write("x".repeat(prefix).getBytes(StandardCharsets.UTF_8));
    }
    bytes.write(0xE9); // é in Latin-1
    bytes.write(",color,sku\nMug,blue,LAST\n".getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir.resolve("latin1.csv"), bytes.toByteArray());

    Pass pass = JobPasses.readAll(
        CsvJobSource.builder().file(file).template("t").outputKey("{sku}.png").build());

    InvalidJobException e = pass.onlyError();
    assertThat(e.position()).isEqualTo(new JobPosition("latin1.csv", line));
    assertThat(e.problem())
        .contains("not valid UTF-8: byte 0xE9 at byte column " + (prefix + 1) + " ")
        .contains("the file is not UTF-8")
        .contains("iconv -f latin1 -t utf-8 latin1.csv > latin1-utf8.csv")
        .doesNotContain("Input length");
    assertThat(pass.ids()).hasSize(Math.max(goodRows, 0));
  }

  @ParameterizedTest(name = "{0} -> line {1}, field {2}")
  @MethodSource("badFiles")
  void badFile_namesExactLineAndField(
      String file, int line, String field, String problem, List<String> ids) {
    Pass pass = JobPasses.readAll(products(resource("bad/" + file)).build());

    InvalidJobException e = pass.onlyError();
    assertThat(e.position()).isEqualTo(new JobPosition(file, line));
    assertThat(e.field()).isEqualTo(Optional.ofNullable(field));
    assertThat(e.problem()).contains(problem);
    assertThat(e)
        .hasMessageStartingWith(
            file + ":" + line + ": " + (field == null ? "" : "field '" + field + "': "));
    assertThat(pass.ids()).isEqualTo(ids);
  }

  @Test
  void emptyOutputKeyCells_areRefusedEachAtItsLine_andReadingGoesOn() {
    Pass pass = JobPasses.readAll(products(resource("bad/empty-output-key-column.csv")).build());

    assertThat(pass.ids()).containsExactly("MUG-1.png", "CHAIR-1.png");
    assertThat(pass.errors())
        .extracting(e -> e.position().line(), e -> e.field().orElseThrow())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, "sku"),
            org.assertj.core.groups.Tuple.tuple(4L, "sku"));
    assertThat(pass.errors().get(0))
        .hasMessage(
            "empty-output-key-column.csv:3: field 'sku': column is empty, but the output key"
                + " '{sku}.png' needs it");
  }

  @Test
  void afterMalformedQuoting_readerEnds() {
    try (JobReader reader = products(resource("bad/unclosed-quote.csv")).build().open()) {
      assertThat(reader.next()).isPresent();
      assertThatThrownBy(reader::next).isInstanceOf(InvalidJobException.class);
      assertThat(reader.next()).isEmpty();
      assertThat(reader.next()).isEmpty();
    }
  }

  @Test
  void invalidUtf8_farIntoFile_isReportedAtItsLine() throws IOException {
    Path file = dir.resolve("late.csv");
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.ISO_8859_1)) {
      out.write("name,color,sku\n");
      for (int i = 2; i < 5000; i++) {
        out.write("Mug " + i + ",red,M" + i + "\n");
      }
      out.write("Caf\u00e9,brown,C1\n"); // one byte 0xE9 in ISO-8859-1: not UTF-8
      out.write("Desk,oak,D1\n");
    }

    Pass pass = JobPasses.readAll(products(file).build());

    assertThat(pass.jobs()).hasSize(4998);
    assertThat(pass.onlyError().position()).isEqualTo(new JobPosition("late.csv", 5000));
  }

  @Test
  void columnsAbsentFromHeader_areAllListedAtOpen_withCaseHint() throws IOException {
    Path file = write("cols.csv", "Name,color,SKU\nMug,red,M1\n");
    CsvJobSource source =
        products(file).idColumn("id").modelColumn("model").value("product_name", "{name}").build();

    InvalidJobException e = catchThrowableOfType(InvalidJobException.class, source::open);

    assertThat(e.position()).isEqualTo(new JobPosition("cols.csv", 1));
    assertThat(e.field()).contains("id");
    assertThat(e.problem())
        .isEqualTo(
            "columns 'id' (used by idColumn), 'model' (used by modelColumn), 'sku' (used by"
                + " outputKey '{sku}.png'; did you mean 'SKU'?), 'name' (used by value"
                + " 'product_name' '{name}'; did you mean 'Name'?) are not in the header; the"
                + " header has [Name, color, SKU]");
  }

  @Test
  void missingFile_isInvalidJobAtLineZero() {
    Path missing = dir.resolve("nope.csv");
    CsvJobSource source = products(missing).build();

    InvalidJobException e = catchThrowableOfType(InvalidJobException.class, source::open);

    assertThat(e.position()).isEqualTo(new JobPosition("nope.csv", 0));
    assertThat(e.problem()).isEqualTo("file not found: " + missing.toAbsolutePath());
  }

  @Test
  void build_namesMissingField() {
    Path file = resource("products.csv");

    assertThatThrownBy(() -> CsvJobSource.builder().template("t").outputKey("{sku}").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("file");
    assertThatThrownBy(() -> CsvJobSource.builder().file(file).template("t").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("outputKey");
    assertThatThrownBy(() -> CsvJobSource.builder().file(file).outputKey("{sku}").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("template or a promptColumn");
    assertThatThrownBy(
            () ->
                CsvJobSource.builder()
                    .file(file)
                    .outputKey("{sku}")
                    .template("t")
                    .promptColumn("p")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not both");
  }

  @Test
  void build_refusesOutputKeyThatIsNoTemplateOrNamesNoColumn() {
    Path file = resource("products.csv");

    assertThatThrownBy(() -> products(file).outputKey("{sku.png").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("outputKey is not a valid template");
    assertThatThrownBy(() -> products(file).outputKey("same.png").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no column");
  }

  @Test
  void next_afterClose_fails() {
    JobReader reader = products(resource("products.csv")).build().open();
    reader.close();

    assertThatThrownBy(reader::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hundredThousandRows_areStreamed() throws IOException {
    Path file = dir.resolve("big.csv");
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("name,color,sku\n");
      for (int i = 0; i < 100_000; i++) {
        out.write("\"Product " + i + ", large\",red,SKU-" + i + "\n");
      }
    }

    long count = 0;
    ImageJob last = null;
    long lastLine = 0;
    try (JobReader reader = products(file).build().open()) {
      for (Optional<ImageJob> job = reader.next(); job.isPresent(); job = reader.next()) {
        count++;
        last = job.get();
        lastLine = reader.position().line();
      }
    }

    assertThat(count).isEqualTo(100_000);
    assertThat(last.outputKey()).isEqualTo("SKU-99999.png");
    assertThat(lastLine).isEqualTo(100_001);
  }
}

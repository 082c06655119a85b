package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.anycap.client.PromptTemplates;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CSV batches end to end: the seed's products file, and bad files refused before any spending. */
class CsvPipelineTest {

  private static final String SEED_TEMPLATES =
      "{\"product_hero\": \"E-commerce product photo: {product_name}, {color}, studio lighting, white background,"
          + " 1024x1024, commercial photography\"}";

  @TempDir Path dir;

  private AnyCapSimulator sim;

  @BeforeEach
  void start() {
    sim = AnyCapSimulator.builder().seed(3).start();
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private ImagePipeline pipeline() {
    return ImagePipeline.builder()
        .client(sim.client())
        .templates(PromptTemplates.parse(SEED_TEMPLATES, "templates.json"))
        .outputRoot(dir.resolve("output"))
        .journal(dir.resolve("output/manifest.jsonl"))
        .retry(Retry.exponential(3, Duration.ofMillis(5), Duration.ofMillis(10)))
        .build();
  }

  private static CsvJobSource products(Path file) {
    return CsvJobSource.builder()
        .file(file)
        .template("product_hero")
        .value("product_name", "{name}")
        .outputKey("{sku}.png")
        .idColumn("sku")
        .build();
  }

  private static Path resource(String name) throws Exception {
    return Path.of(CsvPipelineTest.class.getResource("/jobs/" + name).toURI());
  }

  @Test
  void seedProductsCsv_runsEndToEnd() throws Exception {
    Path csv = resource("products.csv");
    long rows = Files.readAllLines(csv).size() - 1;
    try (ImagePipeline p = pipeline()) {
      BatchReport report = p.run(products(csv));
      assertThat(report.succeeded()).isEqualTo(rows);
    }
    assertThat(dir.resolve("output/LAMP-01.png")).exists();
    assertThat(PipelineFixtures.resultLines(dir.resolve("output/manifest.jsonl"))).hasSize((int) rows);
    assertThat(sim.counters().imagesGenerated()).isEqualTo(rows);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing-cell.csv    | missing-cell.csv:3",
        "extra-cell.csv      | extra-cell.csv:",
        "unclosed-quote.csv  | unclosed-quote.csv:",
        "duplicate-header.csv| duplicate-header.csv:1",
        "missing-column.csv  | missing-column.csv:1",
        "empty.csv           | empty.csv",
        "bad-utf8.csv        | bad-utf8.csv:",
        "empty-output-key-column.csv | empty-output-key-column.csv:"
      })
  void badCsv_isRefusedNamingFileAndLine_andNothingIsSpent(String file, String expectedPosition) throws Exception {
    BatchValidationException e;
    try (ImagePipeline p = pipeline()) {
      e = catchThrowableOfType(BatchValidationException.class, () -> p.run(products(resource("bad/" + file))));
    }
    assertThat(e).as(file).isNotNull();
    assertThat(e.getMessage()).contains(expectedPosition).contains("nothing was sent");
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(dir.resolve("output").resolve("manifest.jsonl")).satisfiesAnyOf(
        j -> assertThat(j).doesNotExist(), j -> assertThat(j).isEmptyFile());
  }

  @Test
  void aRowNeedingATemplateValueItLacks_isNamedWithItsLine() throws Exception {
    Path csv = dir.resolve("partial.csv");
    Files.writeString(csv, "name,color,sku\nMug,red,M1\nLamp,,L1\n");
    try (ImagePipeline p = pipeline()) {
      BatchValidationException e = catchThrowableOfType(BatchValidationException.class, () -> p.run(products(csv)));
      assertThat(e.problems()).singleElement().satisfies(problem -> {
        assertThat(problem.position().toString()).isEqualTo("partial.csv:3");
        assertThat(problem.getMessage()).contains("color");
      });
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void duplicateSkus_areRefused() throws Exception {
    Path csv = dir.resolve("dups.csv");
    Files.writeString(csv, "name,color,sku\nMug,red,M1\nLamp,teal,M1\n");
    try (ImagePipeline p = pipeline()) {
      BatchValidationException e = catchThrowableOfType(BatchValidationException.class, () -> p.run(products(csv)));
      assertThat(e.getMessage()).contains("dups.csv:3").contains("duplicate job id 'M1'").contains("dups.csv:2");
    }
  }

  @Test
  void skuThatLeavesTheOutputRoot_isRefused() throws Exception {
    Path csv = dir.resolve("escape.csv");
    Files.writeString(csv, "name,color,sku\nMug,red,../../etc/evil\n");
    try (ImagePipeline p = pipeline()) {
      BatchValidationException e = catchThrowableOfType(BatchValidationException.class, () -> p.run(products(csv)));
      assertThat(e.getMessage()).contains("escape.csv:2").contains("'..'");
    }
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }
}

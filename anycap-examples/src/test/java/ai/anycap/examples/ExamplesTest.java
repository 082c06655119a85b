package ai.anycap.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.ImageGeneration;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.testkit.AnyCapSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples run as written, against the simulator. */
class ExamplesTest {

  final AnyCapSimulator sim = AnyCapSimulator.create();
  @TempDir Path tmp;

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void singleImage_generatesAndSavesOneImage() throws Exception {
    Path target = tmp.resolve("mug.png");

    ImageGeneration g = SingleImage.generate(sim.client(), samples().resolve("templates.json"), target);

    assertThat(g.model()).isEqualTo("nano-banana-2");
    assertThat(Files.size(target)).isPositive();
    assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
  }

  @Test
  void customSink_catalogsEveryImageOnce() throws Exception {
    BatchReport report = CustomSink.run(sim.client(), samples(), tmp);

    assertThat(report.succeeded()).isEqualTo(20);
    List<String> catalog = Files.readAllLines(tmp.resolve("catalog.csv"));
    assertThat(catalog).hasSize(21).first().isEqualTo("sku,file,sha256,model");
    assertThat(catalog.subList(1, 21)).doesNotHaveDuplicates().anySatisfy(l -> assertThat(l).startsWith("MUG-001,MUG-001.png,"));
    assertThat(Files.readString(tmp.resolve("manifest.jsonl"))).contains("\"catalog\"");
  }

  @Test
  void completePipeline_generatesUploadsPatchesAndNotifies() throws Exception {
    try (RecordingServer server = new RecordingServer()) {
      RecordingServer.setAwsTestCredentials();
      String base = server.baseUrl();
      Map<String, String> env = Map.of(
          "S3_BUCKET", "my-assets", "S3_ENDPOINT", base,
          "CMS_URL", base + "/api/products/{sku}", "CMS_TOKEN", "t0ken",
          "SLACK_WEBHOOK_URL", base + "/slack/hook");

      BatchReport report = CompletePipeline.run(sim.client(), env, samples().resolve("products.csv"),
          samples().resolve("templates.json"), tmp);

      assertThat(report.succeeded()).isEqualTo(20);
      assertThat(server.count("PUT /my-assets/products/")).isEqualTo(20);
      assertThat(server.count("PATCH /api/products/")).isEqualTo(20);
      assertThat(server.requests())
          .contains("PATCH /api/products/KIT-002 {\"image_url\":\"" + base + "/my-assets/products/KIT-002.png\"}");
      assertThat(server.count("POST /slack/hook")).isGreaterThanOrEqualTo(2);
    } finally {
      RecordingServer.clearAwsTestCredentials();
    }
  }

  static Path samples() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("samples/products.csv"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("samples/ above the module").isNotNull();
    return dir.resolve("samples");
  }
}

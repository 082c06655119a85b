package ai.anycap.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.ImageGeneration;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.testkit.AnyCapSimulator;
import com.github.tomakehurst.wiremock.WireMockServer;
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
    // One loopback server stands in for S3 (path-style PUTs answered with an ETag), the CMS and Slack.
    WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(ok().withHeader("ETag", "\"etag\"")));
    try {
      System.setProperty("aws.region", "us-east-1");
      System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
      System.setProperty("aws.secretAccessKey", "aws-secret-example");
      String base = server.baseUrl();
      Map<String, String> env = Map.of(
          "S3_BUCKET", "my-assets", "S3_ENDPOINT", base,
          "CMS_URL", base + "/api/products/{sku}", "CMS_TOKEN", "t0ken",
          "SLACK_WEBHOOK_URL", base + "/slack/hook");

      BatchReport report = CompletePipeline.run(sim.client(), env, samples().resolve("products.csv"),
          samples().resolve("templates.json"), tmp);

      assertThat(report.succeeded()).isEqualTo(20);
      assertThat(server.findAll(putRequestedFor(urlPathMatching("/my-assets/products/.+\\.png")))).hasSize(20);
      assertThat(server.findAll(patchRequestedFor(urlPathMatching("/api/products/.+")))).hasSize(20);
      assertThat(server.findAll(patchRequestedFor(urlPathEqualTo("/api/products/KIT-002"))))
          .singleElement()
          .satisfies(r -> assertThat(r.getBodyAsString())
              .isEqualTo("{\"image_url\":\"" + base + "/my-assets/products/KIT-002.png\"}"));
      assertThat(server.findAll(postRequestedFor(urlPathEqualTo("/slack/hook"))).size()).isGreaterThanOrEqualTo(2);
    } finally {
      System.clearProperty("aws.region");
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      server.stop();
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

package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery flags, against a local server standing in for S3, the CMS, the webhook and Slack. */
class DeliveriesTest {

  @TempDir Path tmp;
  final RecordingServer server = new RecordingServer();

  @AfterEach
  void stop() {
    server.close();
    RecordingServer.clearAwsTestCredentials();
  }

  @Test
  void s3ThenCms_theCmsGetsEachImagesS3Url_asTheSeedsPipelineDoes() {
    RecordingServer.setAwsTestCredentials();
    String base = server.baseUrl();
    CliRun run = CliRun.of(Map.of("CMS_TOKEN", "cms-secret-token"), CliRun.simulatedSampleRun(tmp.resolve("output"),
        "--s3-bucket", "my-assets", "--s3-prefix", "products/", "--s3-endpoint", base,
        "--cms-url", base + "/api/products/{sku}", "--cms-token-env", "CMS_TOKEN"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(server.count("PUT /my-assets/products/")).isEqualTo(20);
    assertThat(server.requests())
        .contains("PATCH /api/products/MUG-001 {\"image_url\":\"" + base + "/my-assets/products/MUG-001.png\"}");
    assertThat(run.all()).doesNotContain("cms-secret-token").doesNotContain("aws-secret-example");
  }

  @Test
  void cmsWebhookAndSlack_eachHearOfEveryImage_andNoSecretIsPrinted() throws Exception {
    String base = server.baseUrl();
    Map<String, String> env = Map.of(
        "CMS_TOKEN", "cms-secret-token",
        "HOOK_SECRET", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
        "SLACK_URL", base + "/slack/T000/B000/SLACKSECRET");
    CliRun run = CliRun.of(env, CliRun.simulatedSampleRun(tmp.resolve("output"),
        "--cms-url", base + "/api/products/{sku}", "--cms-body", "{\"image\":\"{output_key}\"}",
        "--cms-token-env", "CMS_TOKEN",
        "--webhook", base + "/hook", "--webhook-secret-env", "HOOK_SECRET",
        "--slack-webhook-env", "SLACK_URL"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(server.count("PATCH /api/products/")).isEqualTo(20);
    assertThat(server.requests()).contains("PATCH /api/products/MUG-001 {\"image\":\"MUG-001.png\"}");
    assertThat(server.count("POST /hook signed ")).isEqualTo(20);
    assertThat(server.count("POST /slack/")).isGreaterThanOrEqualTo(2);
    assertThat(run.all()).doesNotContain("cms-secret-token").doesNotContain("c2VjcmV0").doesNotContain("SLACKSECRET");
    GalleryPage page = GalleryPage.read(tmp.resolve("output"));
    assertThat(page.figureText("MUG-001.png")).contains("cms: " + base + "/api/products/MUG-001");
    assertThat(page.text()).doesNotContain("SLACKSECRET");
  }

  @Test
  void aSlackUrlThatIsNotAUrl_isRefusedWithoutRepeatingIt() {
    CliRun run = CliRun.of(Map.of("SLACK_URL", "not a url SECRETISH"),
        CliRun.simulatedSampleRun(tmp.resolve("output"), "--slack-webhook-env", "SLACK_URL"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("SLACK_URL does not hold a valid http(s) URL").doesNotContain("SECRETISH");
    assertThat(run.generateRequests()).isZero();
  }
}

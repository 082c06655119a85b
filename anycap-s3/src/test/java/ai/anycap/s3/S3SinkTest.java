package ai.anycap.s3;

import static ai.anycap.s3.S3Fixtures.get;
import static ai.anycap.s3.S3Fixtures.image;
import static ai.anycap.s3.S3Fixtures.job;
import static ai.anycap.s3.S3Fixtures.keys;
import static ai.anycap.s3.S3Fixtures.pngFile;
import static ai.anycap.s3.S3Fixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** S3Sink against S3Mock, a real S3 protocol server in this JVM on 127.0.0.1. */
class S3SinkTest {

  @RegisterExtension static final S3MockExtension S3 = S3Fixtures.s3Mock();

  private static S3AsyncClient client;

  @TempDir Path dir;

  private String bucket;

  @BeforeAll
  static void connect() {
    client = S3Fixtures.client(S3Fixtures.endpoint(S3));
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @BeforeEach
  void newBucket() {
    bucket = S3Fixtures.newBucket(client);
  }

  private S3Sink.Builder sink() {
    return S3Sink.builder().client(client).bucket(bucket);
  }

  private static Throwable failureOf(java.util.concurrent.CompletableFuture<?> future) {
    Throwable t = catchThrowable(future::join);
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  @Test
  void deliver_uploadsTheFileWithTypeCacheControlMetadataAndChecksum() throws Exception {
    Path file = pngFile(dir, "a.png", 1);
    DeliveredImage image = image(job("job-1", "LAMP-01"), file);

    SinkReceipt receipt = sink().build().deliver(image).join();

    ResponseBytes<GetObjectResponse> object = get(client, bucket, "out/LAMP-01.png");
    assertThat(object.asByteArray()).isEqualTo(Files.readAllBytes(file));
    GetObjectResponse head = object.response();
    assertThat(head.contentType()).isEqualTo("image/png");
    assertThat(head.cacheControl()).isEqualTo("public, max-age=31536000");
    assertThat(head.metadata())
        .containsEntry("anycap-job-id", "job-1")
        .containsEntry("anycap-model", "nano-banana-2")
        .containsEntry("anycap-prompt-sha256", S3Sink.promptSha256(image.job()));
    HeadObjectResponse checked =
        client.headObject(b -> b.bucket(bucket).key("out/LAMP-01.png").checksumMode(ChecksumMode.ENABLED)).join();
    assertThat(checked.checksumSHA256())
        .isEqualTo(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(image.sha256())));

    assertThat(receipt.sink()).isEqualTo("s3");
    assertThat(receipt.location()).isEqualTo(S3Fixtures.endpoint(S3) + "/" + bucket + "/out/LAMP-01.png");
    assertThat(receipt.attributes())
        .containsEntry("bucket", bucket)
        .containsEntry("key", "out/LAMP-01.png")
        .containsEntry("etag", head.eTag().replace("\"", ""))
        .doesNotContainKey("version_id");
  }

  @Test
  void keyTemplate_rendersJobValuesAndBuiltIns_underThePrefix() throws Exception {
    S3Sink sink =
        sink().prefix("renders/").keyTemplate("{sku}/{model}/{id}-{color}.png").cacheControl("no-cache").build();

    SinkReceipt receipt = sink.deliver(image(job("job-7", "MUG-9"), pngFile(dir, "m.png", 7))).join();

    String key = "renders/MUG-9/nano-banana-2/job-7-teal.png";
    assertThat(keys(client, bucket)).containsExactly(key);
    assertThat(receipt.attributes()).containsEntry("key", key);
    assertThat(get(client, bucket, key).response().cacheControl()).isEqualTo("no-cache");
  }

  @Test
  void keyTemplate_outputKeyPlaceholder_andBuiltInsWinOverValues() throws Exception {
    ImageJob job = job("job-2", "X").toBuilder().value("id", "from-the-row").build();
    S3Sink sink = sink().keyTemplate("v2/{output_key}#{id}").build();

    sink.deliver(image(job, pngFile(dir, "x.png", 2))).join();

    assertThat(keys(client, bucket)).containsExactly("v2/out/X.png#job-2");
  }

  @Test
  void keyTemplate_missingValue_failsNonRetryable_namingThePlaceholder_andPutsNothing() throws Exception {
    S3Sink sink = sink().keyTemplate("products/{ean}.png").build();

    Throwable failure = failureOf(sink.deliver(image(job("job-3", "Y"), pngFile(dir, "y.png", 3))));

    assertThat(failure).isInstanceOf(SinkException.class);
    SinkException e = (SinkException) failure;
    assertThat(e.retryable()).isFalse();
    assertThat(e.sink()).isEqualTo("s3");
    assertThat(e.getMessage()).contains("{ean}").contains(bucket).contains("job-3");
    assertThat(keys(client, bucket)).isEmpty();
  }

  @Test
  void keyFunction_choosesTheKey() throws Exception {
    S3Sink sink = sink().prefix("f/").keyFunction(img -> img.job().values().get("sku").toLowerCase() + ".png").build();

    sink.deliver(image(job("job-4", "ABC"), pngFile(dir, "abc.png", 4))).join();

    assertThat(keys(client, bucket)).containsExactly("f/abc.png");
  }

  @Test
  void wrongSha256_isRefusedByS3_notRetryable_andNothingIsStored() throws Exception {
    Path file = pngFile(dir, "b.png", 5);
    DeliveredImage honest = image(job("job-5", "BAD"), file);
    DeliveredImage lying =
        new DeliveredImage(honest.job(), file, honest.size(), honest.contentType(),
            sha256("other bytes".getBytes(StandardCharsets.UTF_8)), honest.model(), List.of());

    Throwable failure = failureOf(sink().build().deliver(lying));

    assertThat(failure).isInstanceOf(SinkException.class);
    SinkException e = (SinkException) failure;
    assertThat(e.retryable()).as(e.getMessage()).isFalse();
    assertThat(e.getMessage()).contains("s3://" + bucket + "/out/BAD.png");
    assertThat(keys(client, bucket)).isEmpty();
  }

  @Test
  void malformedSha256_failsBeforeAnythingIsSent() throws Exception {
    Path file = pngFile(dir, "c.png", 6);
    DeliveredImage image = image(job("job-6", "C"), file);
    DeliveredImage bad =
        new DeliveredImage(image.job(), file, image.size(), image.contentType(), "not-hex", image.model(), List.of());

    Throwable failure = failureOf(sink().build().deliver(bad));

    assertThat(failure).isInstanceOf(SinkException.class).hasMessageContaining("sha256");
    assertThat(((SinkException) failure).retryable()).isFalse();
    assertThat(keys(client, bucket)).isEmpty();
  }

  @Test
  void missingBucket_isNonRetryable_andNamesTheBucketAndKey() throws Exception {
    S3Sink sink = S3Sink.builder().client(client).bucket("no-such-bucket-here").build();

    Throwable failure = failureOf(sink.deliver(image(job("job-8", "Z"), pngFile(dir, "z.png", 8))));

    assertThat(failure).isInstanceOf(SinkException.class);
    SinkException e = (SinkException) failure;
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage())
        .contains("no-such-bucket-here")
        .contains("out/Z.png")
        .contains("NoSuchBucket")
        .doesNotContain("anycap-test-secret");
  }

  @Test
  void serverError_isRetryable() throws Exception {
    S3Fixtures.FailingPuts faults = new S3Fixtures.FailingPuts(1);
    try (S3AsyncClient failing = S3Fixtures.client(S3Fixtures.endpoint(S3), faults)) {
      S3Sink sink = S3Sink.builder().client(failing).bucket(bucket).build();
      DeliveredImage image = image(job("job-9", "R"), pngFile(dir, "r.png", 9));

      Throwable failure = failureOf(sink.deliver(image));
      assertThat(failure).isInstanceOf(SinkException.class).hasMessageContaining("InternalError (HTTP 500)");
      assertThat(((SinkException) failure).retryable()).isTrue();

      sink.deliver(image).join();
      assertThat(keys(client, bucket)).containsExactly("out/R.png");
    }
  }

  @Test
  void connectionDropped_isRetryable() throws Exception {
    // A server of our own that hangs up on every connection, as a failing network would.
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread hangUp =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket s = server.accept();
                    s.setSoLinger(true, 0);
                    s.close();
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "hang-up");
      hangUp.setDaemon(true);
      hangUp.start();
      try (S3AsyncClient dropped = S3Fixtures.client(URI.create("http://127.0.0.1:" + server.getLocalPort()))) {
        S3Sink sink = S3Sink.builder().client(dropped).bucket(bucket).build();

        Throwable failure = failureOf(sink.deliver(image(job("job-10", "IO"), pngFile(dir, "io.png", 10))));

        assertThat(failure).isInstanceOf(SinkException.class).hasMessageContaining("s3://" + bucket + "/out/IO.png");
        assertThat(((SinkException) failure).retryable()).as(failure.getMessage()).isTrue();
      }
    }
  }

  @Test
  void missingFile_isNotRetryable() throws Exception {
    Path file = pngFile(dir, "gone.png", 14);
    DeliveredImage image = image(job("job-14", "GONE"), file);
    Files.delete(file);

    Throwable failure = failureOf(sink().build().deliver(image));

    assertThat(failure).isInstanceOf(SinkException.class).hasMessageContaining("s3://" + bucket + "/out/GONE.png");
    assertThat(((SinkException) failure).retryable()).as(failure.getMessage()).isFalse();
    assertThat(keys(client, bucket)).isEmpty();
  }

  @Test
  void nonAsciiJobId_isStoredRfc2047Encoded() throws Exception {
    ImageJob job = job("tasse-größe-L", "T");

    sink().build().deliver(image(job, pngFile(dir, "t.png", 11))).join();

    String stored = get(client, bucket, "out/T.png").response().metadata().get("anycap-job-id");
    assertThat(stored).startsWith("=?UTF-8?B?").endsWith("?=");
    String base64 = stored.substring("=?UTF-8?B?".length(), stored.length() - 2);
    assertThat(new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8)).isEqualTo("tasse-größe-L");
  }

  @Test
  void publicBaseUrl_isTheReceiptLocation_withKeySegmentsEncoded() throws Exception {
    S3Sink sink =
        sink().name("cdn-s3").publicBaseUrl(URI.create("https://cdn.example.com/assets/")).keyTemplate("shop/{sku}.png").build();
    ImageJob job = job("job-12", "Blue mug ü+1");

    SinkReceipt receipt = sink.deliver(image(job, pngFile(dir, "u.png", 12))).join();

    assertThat(receipt.sink()).isEqualTo("cdn-s3");
    assertThat(receipt.location()).isEqualTo("https://cdn.example.com/assets/shop/Blue%20mug%20%C3%BC%2B1.png");
    assertThat(keys(client, bucket)).containsExactly("shop/Blue mug ü+1.png");
  }

  @Test
  void promptSha256_hashesTheLiteralPrompt_orTheTemplateNameAndSortedValues() {
    ImageJob literal = ImageJob.builder().prompt("a red mug").outputKey("p.png").build();
    ImageJob template =
        ImageJob.builder().template("hero").value("b", "2").value("a", "1").outputKey("p.png").build();
    ImageJob reordered =
        ImageJob.builder().template("hero").value("a", "1").value("b", "2").outputKey("p.png").build();

    assertThat(S3Sink.promptSha256(literal)).isEqualTo(sha256("a red mug".getBytes(StandardCharsets.UTF_8)));
    assertThat(S3Sink.promptSha256(template))
        .isEqualTo(sha256("hero\0a\0001\0b\0002".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(S3Sink.promptSha256(reordered));
  }
}

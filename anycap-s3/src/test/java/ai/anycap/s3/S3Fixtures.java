package ai.anycap.s3;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** S3Mock on loopback, clients for it, and images to deliver. */
final class S3Fixtures {

  /** Dummy keys: S3Mock checks none, and static keys keep the SDK from looking for real ones. */
  static final StaticCredentialsProvider DUMMY_CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("anycap-test", "anycap-test-secret"));

  /**
   * One event loop for every test client: a client that owns its loop waits out Netty's two-second
   * quiet period when closed, which the tests would otherwise pay once per client.
   */
  static final SdkEventLoopGroup EVENT_LOOP = SdkEventLoopGroup.builder().numberOfThreads(2).build();

  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private S3Fixtures() {}

  /** S3Mock over plain HTTP, listening on 127.0.0.1 only, quiet. */
  static S3MockExtension s3Mock() {
    return S3MockExtension.builder()
        .withSecureConnection(false)
        .withProperty("server.address", "127.0.0.1")
        .withProperty("spring.main.sources", LoopbackConnectors.class.getName())
        .silent()
        .build();
  }

  static URI endpoint(S3MockExtension s3) {
    return URI.create("http://127.0.0.1:" + s3.getHttpPort());
  }

  /**
   * A client for S3Mock: explicit region and credentials (so the SDK never asks instance metadata
   * for either), path style, and no SDK retries, so that tests see each failure as it happens.
   */
  static S3AsyncClient client(URI endpoint, ExecutionInterceptor... interceptors) {
    return clientBuilder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .overrideConfiguration(
            o -> {
              o.retryStrategy(AwsRetryStrategy.doNotRetry());
              for (ExecutionInterceptor i : interceptors) {
                o.addExecutionInterceptor(i);
              }
            })
        .build();
  }

  /** A client builder with dummy credentials and the shared event loop; add a region. */
  static S3AsyncClientBuilder clientBuilder() {
    return S3AsyncClient.builder()
        .credentialsProvider(DUMMY_CREDENTIALS)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(EVENT_LOOP));
  }

  /** A new, empty bucket. */
  static String newBucket(S3AsyncClient client) {
    String bucket = "anycap-test-" + BUCKETS.incrementAndGet();
    client.createBucket(b -> b.bucket(bucket)).join();
    return bucket;
  }

  static ResponseBytes<GetObjectResponse> get(S3AsyncClient client, String bucket, String key) {
    return client.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join();
  }

  static List<String> keys(S3AsyncClient client, String bucket) {
    return client.listObjectsV2(b -> b.bucket(bucket)).join().contents().stream().map(S3Object::key).sorted().toList();
  }

  /** A small file that starts like a PNG, with bytes that differ by seed. */
  static Path pngFile(Path dir, String name, int seed) throws IOException {
    byte[] bytes = new byte[2048 + seed];
    new Random(seed).nextBytes(bytes);
    byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    System.arraycopy(magic, 0, bytes, 0, magic.length);
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** The image as the pipeline would describe it: size and SHA-256 of the file's bytes. */
  static DeliveredImage image(ImageJob job, Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return new DeliveredImage(job, file, bytes.length, "image/png", sha256(bytes), "nano-banana-2", List.of());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ImageJob job(String id, String sku) {
    return ImageJob.builder()
        .id(id)
        .template("product_hero")
        .value("product_name", "Desk lamp")
        .value("color", "teal")
        .value("sku", sku)
        .outputKey("out/" + sku + ".png")
        .build();
  }

  /**
   * Fault injection, not a fake S3: the first {@code failures} PutObject calls fail with a 500
   * before they are sent, as S3 answers now and then; later ones go to the real server.
   */
  static final class FailingPuts implements ExecutionInterceptor {
    private final AtomicInteger remaining;
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    FailingPuts(int failures) {
      remaining = new AtomicInteger(failures);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (!(context.request() instanceof PutObjectRequest)) {
        return;
      }
      puts.incrementAndGet();
      if (remaining.getAndDecrement() > 0) {
        failed.incrementAndGet();
        throw S3Exception.builder()
            .statusCode(500)
            .requestId("injected-500")
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode("InternalError")
                    .errorMessage("We encountered an internal error. Please try again.")
                    .serviceName("S3")
                    .build())
            .build();
      }
    }
  }
}

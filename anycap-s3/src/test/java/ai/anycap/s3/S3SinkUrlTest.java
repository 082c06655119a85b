package ai.anycap.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.PromptTemplateException;
import java.net.URI;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * The URLs receipts report, and builder checks. Nothing here sends a request: clients are built
 * with explicit regions and dummy credentials and only asked for their configuration.
 */
class S3SinkUrlTest {

  private static String url(String bucket, String key, Consumer<S3AsyncClientBuilder> client, URI publicBaseUrl) {
    S3AsyncClientBuilder b = S3Fixtures.clientBuilder();
    client.accept(b);
    try (S3AsyncClient c = b.build()) {
      S3Sink.Builder sink = S3Sink.builder().client(c).bucket(bucket);
      if (publicBaseUrl != null) {
        sink.publicBaseUrl(publicBaseUrl);
      }
      return sink.build().objectUrl(key).toString();
    }
  }

  @Test
  void awsClient_givesVirtualHostedUrls() {
    assertThat(url("my-assets", "products/LAMP-01.png", c -> c.region(Region.EU_WEST_1), null))
        .isEqualTo("https://my-assets.s3.eu-west-1.amazonaws.com/products/LAMP-01.png");
  }

  @Test
  void chinaRegion_usesItsDomain() {
    assertThat(url("my-assets", "a.png", c -> c.region(Region.CN_NORTH_1), null))
        .isEqualTo("https://my-assets.s3.cn-north-1.amazonaws.com.cn/a.png");
  }

  @Test
  void bucketWithDots_goesInThePath_soTheCertificateMatches() {
    assertThat(url("assets.example.com", "a.png", c -> c.region(Region.US_EAST_1), null))
        .isEqualTo("https://s3.us-east-1.amazonaws.com/assets.example.com/a.png");
  }

  @Test
  void customEndpoint_givesPathStyleUrls() {
    assertThat(
            url("renders", "x/y.png",
                c -> c.region(Region.of("auto")).endpointOverride(URI.create("https://acct.r2.cloudflarestorage.com/"))
                    .forcePathStyle(true),
                null))
        .isEqualTo("https://acct.r2.cloudflarestorage.com/renders/x/y.png");
    assertThat(
            url("renders", "y.png",
                c -> c.region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:9000")).forcePathStyle(true),
                null))
        .isEqualTo("http://127.0.0.1:9000/renders/y.png");
  }

  @Test
  void publicBaseUrl_winsOverEndpointAndRegion() {
    assertThat(
            url("renders", "p/a.png",
                c -> c.region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:9000")),
                URI.create("https://cdn.example.com")))
        .isEqualTo("https://cdn.example.com/p/a.png");
    assertThat(url("renders", "a.png", c -> c.region(Region.EU_WEST_1), URI.create("https://cdn.example.com/img/")))
        .isEqualTo("https://cdn.example.com/img/a.png");
  }

  @Test
  void keySegments_arePercentEncoded_slashesKept() {
    assertThat(url("b", "dir with space/ü+#?%&=.png", c -> c.region(Region.EU_WEST_1), null))
        .isEqualTo("https://b.s3.eu-west-1.amazonaws.com/dir%20with%20space/%C3%BC%2B%23%3F%25%26%3D.png");
    assertThat(url("b", "a//b/~x_y-z.png", c -> c.region(Region.EU_WEST_1), null))
        .isEqualTo("https://b.s3.eu-west-1.amazonaws.com/a//b/~x_y-z.png");
  }

  @Test
  void withoutAClient_theSinkBuildsOne_forTheRegionAndEndpoint() {
    // Built from the default credential chain, which is only asked when a request is signed.
    try (S3Sink sink =
        S3Sink.builder().region("us-east-1").endpoint(URI.create("http://127.0.0.1:9000")).bucket("renders").build()) {
      assertThat(sink.objectUrl("a b.png").toString()).isEqualTo("http://127.0.0.1:9000/renders/a%20b.png");
      assertThat(sink.name()).isEqualTo("s3");
    }
  }

  @Test
  void builder_namesWhatIsMissing() {
    assertThatThrownBy(() -> S3Sink.builder().region("eu-west-1").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> S3Sink.builder().bucket("b").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("client")
        .hasMessageContaining("region");
  }

  @Test
  void malformedKeyTemplate_failsWhenSet() {
    assertThatThrownBy(() -> S3Sink.builder().keyTemplate("products/{sku.png"))
        .isInstanceOf(PromptTemplateException.class)
        .hasMessageContaining("products/{sku.png");
    assertThatThrownBy(() -> S3Sink.builder().publicBaseUrl(URI.create("cdn/relative")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

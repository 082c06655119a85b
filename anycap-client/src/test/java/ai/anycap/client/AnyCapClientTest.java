package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnyCapClientTest {

  private static final String KEY = WireMockSupport.KEY;

  @Test
  void build_withoutKey_namesTheEnvironmentVariable() {
    assertThatThrownBy(() -> AnyCapClient.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ANYCAP_API_KEY");
  }

  @Test
  void fromEnv_readsKeyAndEndpoint() {
    AnyCapClient client =
        AnyCapClient.builder()
            .fromEnv(Map.of("ANYCAP_API_KEY", KEY, "ANYCAP_API_ENDPOINT", "https://eu.example.test/api")::get)
            .build();
    assertThat(client.endpoint()).isEqualTo(URI.create("https://eu.example.test/api"));
  }

  @Test
  void fromEnv_withoutVariables_failsNamingTheKeyVariable() {
    assertThatThrownBy(() -> AnyCapClient.builder().fromEnv(Map.<String, String>of()::get).build())
        .hasMessageContaining("ANYCAP_API_KEY");
  }

  @Test
  void fromEnv_defaultsToThePublicEndpoint() {
    AnyCapClient client = AnyCapClient.builder().fromEnv(Map.of("ANYCAP_API_KEY", KEY)::get).build();
    assertThat(client.endpoint()).isEqualTo(URI.create("https://api.anycap.ai"));
  }

  @Test
  void fromEnv_withBadEndpoint_namesTheVariable() {
    assertThatThrownBy(
            () ->
                AnyCapClient.builder()
                    .fromEnv(Map.of("ANYCAP_API_KEY", KEY, "ANYCAP_API_ENDPOINT", "ftp://x")::get))
        .hasMessageContaining("endpoint must be an http(s) URL");
  }

  @Test
  void build_refusesPlainHttpToARemoteHost() {
    assertThatThrownBy(
            () -> AnyCapClient.builder().apiKey(KEY).endpoint(URI.create("http://api.example.test")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plain-http")
        .hasMessageContaining("allowInsecureEndpoint");
  }

  @Test
  void build_allowsPlainHttpToLoopbackOrWhenExplicitlyAllowed() {
    assertThat(AnyCapClient.builder().apiKey(KEY).endpoint(URI.create("http://127.0.0.1:9")).build())
        .isNotNull();
    assertThat(AnyCapClient.builder().apiKey(KEY).endpoint(URI.create("http://localhost:9")).build())
        .isNotNull();
    assertThat(AnyCapClient.builder().apiKey(KEY).endpoint(URI.create("http://[::1]:9")).build())
        .isNotNull();
    assertThat(
            AnyCapClient.builder()
                .apiKey(KEY)
                .endpoint(URI.create("http://api.example.test"))
                .allowInsecureEndpoint(true)
                .build())
        .isNotNull();
  }

  @Test
  void build_refusesAnHttpClientThatFollowsRedirects() {
    HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    assertThatThrownBy(() -> AnyCapClient.builder().apiKey(KEY).httpClient(following).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Redirect.NEVER");
  }

  @Test
  void keyNeverAppearsInToStringOrErrors() {
    AnyCapClient.Builder builder = AnyCapClient.builder().apiKey(KEY);
    assertThat(builder.toString()).doesNotContain(KEY).contains("[redacted]");
    assertThat(builder.build().toString()).doesNotContain(KEY).contains("[redacted]");
    String badKey = "ak_live_secret\nInjected: 1";
    assertThatThrownBy(() -> AnyCapClient.builder().apiKey(badKey).build())
        .hasMessageNotContaining("ak_live_secret")
        .hasMessageContaining("control");
  }

  @Test
  void endpoint_withQueryIsRefused() {
    assertThatThrownBy(() -> AnyCapClient.builder().endpoint(URI.create("https://a.test/?x=1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query");
  }

  @Test
  void toBuilder_keepsSettings() {
    AnyCapClient client = AnyCapClient.builder().apiKey(KEY).endpoint(URI.create("https://x.test")).build();
    AnyCapClient copy = client.toBuilder().build();
    assertThat(copy.endpoint()).isEqualTo(URI.create("https://x.test"));
  }
}

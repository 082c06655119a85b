package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ftp://files.example.test | its scheme is ftp:",
        "api.anycap.ai | it has no scheme",
        "https://api anycap.ai | it is not a URL",
        "https:// | it is not a URL",
        "https://api.anycap.ai/?region=eu | query or fragment"
      })
  void fromEnv_withBadEndpoint_namesTheVariable_theValue_andTheExpectedForm(String value, String reason) {
    assertThatThrownBy(
            () ->
                AnyCapClient.builder()
                    .fromEnv(Map.of("ANYCAP_API_KEY", KEY, "ANYCAP_API_ENDPOINT", value)::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ANYCAP_API_ENDPOINT is '" + value + "'")
        .hasMessageContaining(reason)
        .hasMessageContaining("Expected the form https://api.anycap.ai")
        .hasMessageNotContaining(KEY);
  }

  @Test
  void endpoint_withBadUri_namesTheBuilderMethod_andTheExpectedForm() {
    assertThatThrownBy(() -> AnyCapClient.builder().endpoint(URI.create("ftp://x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint(URI) is 'ftp://x'")
        .hasMessageContaining("Expected the form https://api.anycap.ai");
    assertThatThrownBy(() -> AnyCapClient.builder().endpoint(URI.create("api.anycap.ai")))
        .hasMessageContaining("endpoint(URI) is 'api.anycap.ai'")
        .hasMessageContaining("no scheme");
  }

  @Test
  void endpointMessages_neverRepeatAPasswordInTheUrl() {
    assertThatThrownBy(
            () ->
                AnyCapClient.builder()
                    .fromEnv(Map.of("ANYCAP_API_ENDPOINT", "ftp://me:hunter2@files.example.test")::get))
        .hasMessageContaining("ftp://***@files.example.test")
        .hasMessageNotContaining("hunter2");
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
    AnyCapClientBuilder builder = AnyCapClient.builder().apiKey(KEY);
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

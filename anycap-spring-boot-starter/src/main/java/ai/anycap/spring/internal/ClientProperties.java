package ai.anycap.spring.internal;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapClientBuilder;
import ai.anycap.spring.AnyCapProperties;
import java.util.Map;

/** An {@link AnyCapClientBuilder} with the {@code anycap.*} properties that are set, and no others. */
public final class ClientProperties {

  private ClientProperties() {}

  public static AnyCapClientBuilder builder(AnyCapProperties p) {
    AnyCapClientBuilder b = AnyCapClient.builder();
    if (p.apiKey() != null && !p.apiKey().isBlank()) {
      b.apiKey(p.apiKey());
    }
    if (p.apiEndpoint() != null) {
      b.endpoint(p.apiEndpoint());
    }
    if (p.connectTimeout() != null) {
      b.connectTimeout(p.connectTimeout());
    }
    if (p.requestTimeout() != null) {
      b.requestTimeout(p.requestTimeout());
    }
    if (p.downloadTimeout() != null) {
      b.downloadTimeout(p.downloadTimeout());
    }
    if (p.generateTimeout() != null) {
      b.generateTimeout(p.generateTimeout());
    }
    if (p.generateTimeouts() != null) {
      for (Map.Entry<String, java.time.Duration> e : p.generateTimeouts().entrySet()) {
        b.generateTimeout(e.getKey(), e.getValue());
      }
    }
    return b;
  }

  /** Builds, naming the property and the variable when the key is missing. */
  public static AnyCapClient build(AnyCapClientBuilder b, AnyCapProperties p) {
    if (p.apiKey() == null || p.apiKey().isBlank()) {
      // A customizer may have set it; the builder knows.
      try {
        return b.build();
      } catch (IllegalStateException e) {
        throw new IllegalStateException("no AnyCap API key: set the ANYCAP_API_KEY environment variable or the"
            + " property anycap.api-key (or define an AnyCapClient bean of your own)", e);
      }
    }
    return b.build();
  }
}

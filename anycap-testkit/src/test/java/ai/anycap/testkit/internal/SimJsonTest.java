package ai.anycap.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.ImageRequest;
import ai.anycap.client.Mode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimJsonTest {

  @Test
  void fingerprintIgnoresFieldOrder_andMatchesTheClientsBody() throws Exception {
    ImageRequest r = ImageRequest.builder().model("nano-banana-2").prompt("a \"quoted\" cat")
        .mode(Mode.IMAGE_TO_IMAGE).param("aspect_ratio", "16:9").param("n", 2)
        .referenceImage(URI.create("https://example.com/a.png")).build();
    String wire = "{\"images\":[\"https://example.com/a.png\"],\"n\":2,\"prompt\":\"a \\\"quoted\\\" cat\","
        + "\"mode\":\"image-to-image\",\"aspect_ratio\":\"16:9\",\"model\":\"nano-banana-2\"}";

    String fromWire = SimJson.fingerprint(SimJson.MAPPER.readTree(wire.getBytes(StandardCharsets.UTF_8)));
    assertThat(SimJson.fingerprint(r.toBody())).isEqualTo(fromWire);
    assertThat(fromWire).startsWith("{\"aspect_ratio\":\"16:9\",\"images\":");
    assertThat(SimJson.fingerprint(r.toBuilder().prompt("a dog").build().toBody())).isNotEqualTo(fromWire);
  }
}

package ai.anycap.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.image.ImageModel;
import org.springframework.ai.image.ImageOptionsBuilder;
import org.springframework.ai.image.ImagePrompt;
import org.springframework.ai.image.ImageResponse;

/** Spring AI's ImageModel against the simulator, judged by what the simulator was sent. */
class AnyCapImageModelTest {

  private final AnyCapSimulator sim = AnyCapSimulator.builder().seed(71).start();
  private final ImageModel model = AnyCapImageModel.builder().client(sim.client()).build();

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void oneCall_sendsTheModelThePromptAndTheSizeAsAnAspectRatio() {
    ImageResponse response = model.call(new ImagePrompt("a paper crane on a wooden table",
        ImageOptionsBuilder.builder().model("nano-banana-pro").width(1792).height(1024).style("vivid").build()));

    ImageRequest sent = ImageRequest.builder().model("nano-banana-pro").prompt("a paper crane on a wooden table")
        .param("aspect_ratio", "16:9").build();
    assertThat(sim.generateHistory(sent)).containsExactly("200");
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(1);
    assertThat(response.getResults()).hasSize(1);
    assertThat(response.getResult().getOutput().getUrl()).startsWith(sim.baseUri().toString());
  }

  @Test
  void nImagesInBase64_areNPaidRequestsAndTheirDownloadedBytes() {
    ImageResponse response = model.call(new ImagePrompt(List.of(new org.springframework.ai.image.ImageMessage("a lamp")),
        ImageOptionsBuilder.builder().n(2).responseFormat("b64_json").build()));

    assertThat(sim.generateHistory(ImageRequest.builder().model("nano-banana-2").prompt("a lamp").build()))
        .containsExactly("200", "200");
    assertThat(response.getResults()).hasSize(2).allSatisfy(g -> {
      byte[] png = Base64.getDecoder().decode(g.getOutput().getB64Json());
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
      assertThat(g.getOutput().getUrl()).isNull();
    });
    assertThat(sim.counters().requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(2);
  }

  @Test
  void anUnknownResponseFormat_isRefusedBeforeAnythingIsSent() {
    assertThatThrownBy(() -> model.call(new ImagePrompt("x", ImageOptionsBuilder.builder().responseFormat("jpeg").build())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jpeg");
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }
}

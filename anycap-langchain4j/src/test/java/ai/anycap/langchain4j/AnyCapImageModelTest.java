package ai.anycap.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.model.image.ImageModel;
import dev.langchain4j.model.output.Response;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LangChain4j's ImageModel against the simulator, judged by what the simulator was sent. */
class AnyCapImageModelTest {

  private final AnyCapSimulator sim = AnyCapSimulator.builder().seed(81).start();

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void oneCall_sendsTheModelThePromptAndTheSizeAsAnAspectRatio() {
    ImageModel model = AnyCapImageModel.builder().client(sim.client()).modelName("seedream-5").size("1024x1792").build();

    Response<Image> response = model.generate("a lighthouse at dusk");

    ImageRequest sent = ImageRequest.builder().model("seedream-5").prompt("a lighthouse at dusk")
        .param("aspect_ratio", "9:16").build();
    assertThat(sim.generateHistory(sent)).containsExactly("200");
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(1);
    assertThat(response.content().url().toString()).startsWith(sim.baseUri().toString());
    assertThat(response.metadata()).containsEntry("model", "seedream-5").containsKey("requestId");
  }

  @Test
  void nImages_areNPaidRequests_andAnEditSendsTheImageByItsUrl() {
    ImageModel model = AnyCapImageModel.builder().client(sim.client()).build();

    Response<List<Image>> two = model.generate("a lamp", 2);
    Response<Image> edited = model.edit(two.content().get(0), "make it red");

    assertThat(two.content()).hasSize(2);
    assertThat(sim.generateHistory(ImageRequest.builder().model("nano-banana-2").prompt("a lamp").build()))
        .containsExactly("200", "200");
    assertThat(sim.counters().edits()).isEqualTo(1);
    assertThat(edited.content().url()).isNotNull();
    assertThat(two.metadata().get("credits").toString()).isEqualTo(String.valueOf(sim.counters().creditsCharged() - 1));
  }

  @Test
  void whatDoesNotMap_isRefusedBeforeAnythingIsSent() {
    ImageModel model = AnyCapImageModel.builder().client(sim.client()).build();
    Image base64 = Image.builder().base64Data("iVBORw0KGgo=").mimeType("image/png").build();

    assertThatThrownBy(() -> model.edit(base64, "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> model.edit(base64, base64, "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> AnyCapImageModel.builder().size("big")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WIDTHxHEIGHT");
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE) + sim.counters().requests(SimulatorCounters.EDIT)).isZero();
  }
}

package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The declarative form: every default, the simulator injected where it is asked for. */
@ExtendWith(AnyCapSimulatorExtension.class)
class ExtendWithTest {

  private AnyCapClient client;

  @BeforeEach
  void setUp(AnyCapClient client) {
    this.client = client;
  }

  @Test
  void injectsADefaultSimulatorIntoBeforeEachAndTheTest(AnyCapSimulator sim) {
    assertThat(sim.faults()).isEmpty();
    assertThat(client).isSameAs(sim.client());
    client.images().generate(ImageRequest.builder().model("seedream-5").prompt("a hero shot").build());
    assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
  }
}

package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.ServerException;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AnyCapSimulatorExtensionTest {

  private static final ImageRequest CAT =
      ImageRequest.builder().model("nano-banana-2").prompt("a cat").build();
  private static final Set<URI> SEEN = new HashSet<>();

  @RegisterExtension
  final AnyCapSimulatorExtension anycap =
      AnyCapSimulatorExtension.configure(b -> b.fault(Fault.serverError(503).onNthRequest(1)).credits(10));

  @RepeatedTest(3)
  void eachTestGetsAFreshSimulator(AnyCapSimulator sim, AnyCapClient client) {
    assertThat(sim).isSameAs(anycap.simulator());
    assertThat(client).isSameAs(sim.client());
    assertThat(sim.counters().requests()).isEmpty();
    assertThat(SEEN.add(sim.baseUri())).as("a new simulator, not one left by another test").isTrue();

    assertThatThrownBy(() -> client.images().generate(CAT)).isInstanceOf(ServerException.class);
    client.images().generate(CAT);
    assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
    assertThat(sim.creditBalance()).isEqualTo(9);
  }

  @AfterAll
  static void everySimulatorWasClosed() {
    assertThat(SEEN).allSatisfy(uri ->
        assertThatThrownBy(() -> AnyCapClient.builder().apiKey("k").endpoint(uri).build().images().models())
            .isInstanceOf(ai.anycap.client.AnyCapIoException.class));
  }

  @Test
  void accessorsFailOutsideATest() {
    AnyCapSimulatorExtension idle = AnyCapSimulatorExtension.create();
    assertThatThrownBy(idle::simulator).isInstanceOf(IllegalStateException.class);
  }
}

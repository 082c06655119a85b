package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelsCommandTest {

  @Test
  void listsTheSimulatorsModels_withPrices_saidToBeSimulated() {
    CliRun run = CliRun.of("models", "--simulate");

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).contains("nano-banana-2").contains("$0.005").contains("seedream-5").contains("$0.015")
        .contains("nano-banana-pro").contains("text-to-image").contains("hero images");
    assertThat(run.lines()).allSatisfy(l -> assertThat(l).startsWith("[simulated] "));
  }

  @Test
  void listsTheApisModels_withTheKeyFromTheEnvironment() {
    try (AnyCapSimulator api = AnyCapSimulator.builder().apiKey("ak_models").start()) {
      CliRun run = CliRun.of(
          Map.of("ANYCAP_API_KEY", "ak_models", "ANYCAP_API_ENDPOINT", api.baseUri().toString()), "models");

      assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
      assertThat(run.out()).contains("nano-banana-2").doesNotContain("simulated");

      CliRun refused = CliRun.of(
          Map.of("ANYCAP_API_KEY", "ak_wrong", "ANYCAP_API_ENDPOINT", api.baseUri().toString()), "models");
      assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(refused.err()).contains("refused the key in ANYCAP_API_KEY").doesNotContain("ak_wrong");
    }
  }

  @Test
  void withoutAKey_itNamesBothWaysOn() {
    CliRun run = CliRun.of("models");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("ANYCAP_API_KEY").contains("--simulate");
  }
}

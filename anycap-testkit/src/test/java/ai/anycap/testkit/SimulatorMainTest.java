package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.ServerException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SimulatorMainTest {

  @Test
  void parsesEveryOption() {
    AnyCapSimulator.Builder b = SimulatorMain.parse(new String[] {
      "--port", "0", "--api-key=ak_test_cli", "--latency-ms", "5-10", "--rate-limit", "50:10",
      "--credits", "7", "--fault", "server-error:503:on=1", "--fault=truncated-download:p=0",
      "--seed", "99", "--artifact-ttl-s", "60"
    });
    try (AnyCapSimulator sim = b.start()) {
      assertThat(sim.seed()).isEqualTo(99);
      assertThat(sim.creditBalance()).isEqualTo(7);
      assertThat(sim.faults()).containsExactly(
          Fault.serverError(503).onNthRequest(1), Fault.truncatedDownload().probability(0));
      assertThatThrownBy(() -> sim.client().images().generate(cat())).isInstanceOf(ServerException.class);
      assertThat(sim.client().images().generate(cat()).outputs()).hasSize(1);
      assertThatThrownBy(() -> sim.clientBuilder().apiKey("ak_other").build().images().models())
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void logNormalLatency_isParsed_andABadOneIsNamed() {
    try (AnyCapSimulator sim = SimulatorMain.parse(new String[] {"--latency-ms", "log-normal:1:5", "--seed", "3"}).start()) {
      assertThat(sim.client().images().generate(cat()).outputs()).hasSize(1);
    }
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--latency-ms", "log-normal:100"}))
        .hasMessageContaining("log-normal:MEDIAN:P99");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--latency-ms", "log-normal:100:50"}))
        .hasMessageContaining("--latency-ms 'log-normal:100:50'").hasMessageContaining("median <= p99");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--latency-ms", "log-normal:soon:1"}))
        .hasMessageContaining("--latency-ms takes a whole number");
  }

  @Test
  void helpReturnsNoBuilder() {
    assertThat(SimulatorMain.parse(new String[] {"--help"})).isNull();
  }

  @Test
  void badFlagsAreNamed() {
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--prot", "1"}))
        .hasMessage("unknown option '--prot'");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--port"}))
        .hasMessage("--port needs a value");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--port", "--seed", "1"}))
        .hasMessage("--port needs a value");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--latency-ms", "soon"}))
        .hasMessageContaining("--latency-ms takes a whole number");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--rate-limit", "0"}))
        .hasMessageContaining("permitsPerSecond must be positive");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--fault", "meteor"}))
        .hasMessageContaining("unknown fault 'meteor'");
  }

  @Test
  @Timeout(60)
  void runsAsAProcessThatOtherClientsCanUse() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(
            java.toString(), "-cp", System.getProperty("java.class.path"),
            SimulatorMain.class.getName(), "--seed", "5", "--fault", "server-error:502:on=1"))
        .redirectErrorStream(true)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String first = out.readLine();
      while (first != null && !first.startsWith("AnyCap simulator listening on ")) {
        first = out.readLine();
      }
      assertThat(first).as("the banner").isNotNull().contains("(seed 5)");
      URI endpoint = URI.create(first.split(" ")[4]);
      assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");

      AnyCapClient client = AnyCapClient.builder().apiKey("ak_test_any").endpoint(endpoint).build();
      assertThatThrownBy(() -> client.images().generate(cat())).isInstanceOf(ServerException.class);
      assertThat(client.images().generate(cat()).outputs()).hasSize(1);
    } finally {
      p.destroy();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stops when asked").isTrue();
    }
  }

  @Test
  void badArgumentsExitWithStatus2() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(
            java.toString(), "-cp", System.getProperty("java.class.path"),
            SimulatorMain.class.getName(), "--bogus"))
        .redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(output).contains("unknown option '--bogus'").contains("usage:");
  }

  private static ImageRequest cat() {
    return ImageRequest.builder().model("nano-banana-2").prompt("a cat").build();
  }

}

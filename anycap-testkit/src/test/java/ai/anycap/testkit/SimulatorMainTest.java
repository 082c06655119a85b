package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.ServerException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SimulatorMainTest {

  @TempDir Path tmp;

  @Test
  void parsesEveryOption() {
    AnyCapSimulatorBuilder b = SimulatorMain.parse(new String[] {
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
  void parsesTheUploadAndOperationOptions() {
    AnyCapSimulatorBuilder b = SimulatorMain.parse(new String[] {
      "--schema-form", "flat", "--upscale-credits", "5", "--read-credits=0", "--max-upload-mb", "1",
      "--credits", "10", "--fault", "upload-status:503:on=1"
    });
    try (AnyCapSimulator sim = b.start()) {
      assertThat(sim.faults()).containsExactly(Fault.uploadStatus(503).onNthRequest(1));
      assertThat(sim.client().images().upscale(ai.anycap.client.UpscaleRequest.builder()
          .image(URI.create("https://example.com/a.png")).build()).creditCost()).isEqualByComparingTo("5");
      assertThat(sim.client().images().read(ai.anycap.client.ImageReadRequest.builder()
          .image(URI.create("https://example.com/a.png")).instruction("x").build()).creditCost()).isZero();
      assertThat(sim.creditBalance()).isEqualTo(5);
    }
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--schema-form", "yaml"}))
        .hasMessageContaining("flat or json-schema");
  }

  @Test
  void listensOnTheHostGiven_andHandsOutUrlsOnThePublicBase() throws Exception {
    int port = freeLoopbackPort();
    try (AnyCapSimulator sim = SimulatorMain.parse(new String[] {
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--public-url", "http://localhost:" + port + "/"
    }).start()) {
      assertThat(sim.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(sim.port()).isEqualTo(port);
      // A service in another container reaches the simulator by a name of its own; here, localhost.
      assertThat(sim.baseUri()).isEqualTo(URI.create("http://localhost:" + port));
      AnyCapClient client = AnyCapClient.builder().apiKey("ak_test_any").endpoint(sim.baseUri()).build();
      ImageGeneration g = client.images().generate(cat());
      assertThat(g.firstOutput().toString()).startsWith("http://localhost:" + port + "/artifacts/");
      assertThat(client.images().download(g.firstOutput(), tmp.resolve("cat.png"))).isNotEmptyFile();
    }
    try (AnyCapSimulator sim = SimulatorMain.parse(new String[] {"--host", "127.0.0.1"}).start()) {
      assertThat(sim.baseUri().getHost()).as("no public URL: the bound address").isEqualTo("127.0.0.1");
      assertThat(sim.client().images().generate(cat()).firstOutput().toString())
          .startsWith(sim.baseUri() + "/artifacts/");
    }
  }

  @Test
  @Timeout(60)
  void aModelsOwnLatency_overridesTheOneForEveryModel_andAnUnknownModelIsNamed() {
    try (AnyCapSimulator sim = SimulatorMain.parse(
        new String[] {"--latency-ms", "600000", "--model-latency-ms", "seedream-5=0"}).start()) {
      var slow = sim.client().images().generateAsync(cat());
      ImageGeneration quick = sim.client().images()
          .generate(ImageRequest.builder().model("seedream-5").prompt("a cat").build());
      assertThat(quick.outputs()).hasSize(1);
      assertThat(slow).as("the other models keep the ten minutes").isNotDone();
    }
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--model-latency-ms", "seedream-6=0"}))
        .hasMessageContaining("--model-latency-ms: unknown model 'seedream-6'").hasMessageContaining("seedream-5");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--model-latency-ms", "500"}))
        .hasMessageContaining("MODEL=LATENCY");
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
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--host", "sim.internal"}))
        .hasMessage("--host takes an IP address such as 127.0.0.1, 0.0.0.0 or ::1, got 'sim.internal'");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--host=256.0.0.1"}))
        .hasMessage("--host takes an IP address such as 127.0.0.1, 0.0.0.0 or ::1, got '256.0.0.1'");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--host", "::g"}))
        .hasMessage("--host takes an IP address such as 127.0.0.1, 0.0.0.0 or ::1, got '::g'");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--host"}))
        .hasMessage("--host needs a value");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--public-url", "ftp://simulator"}))
        .hasMessageStartingWith("--public-url takes a URL such as http://simulator:8787: ");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--public-url", "http://simulator:8787/?x=1"}))
        .hasMessageContaining("no query or fragment");
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

  @Test
  void anAddressItCannotListenOnExitsWithStatus1AndSaysWhy() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process p = new ProcessBuilder(List.of(
              java.toString(), "-cp", System.getProperty("java.class.path"),
              SimulatorMain.class.getName(), "--host", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort())))
          .redirectErrorStream(true)
          .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(1);
      assertThat(output).contains("anycap-simulator: cannot start the AnyCap simulator on 127.0.0.1:"
          + taken.getLocalPort() + ": ");
    }
  }

  @Test
  void helpExplainsWhatListeningOffLoopbackMeans() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    SimulatorMain.usage(new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("--host ADDRESS", "default 127.0.0.1", "anyone who can reach the port", "no real auth");
  }

  private static int freeLoopbackPort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static ImageRequest cat() {
    return ImageRequest.builder().model("nano-banana-2").prompt("a cat").build();
  }

}

package ai.anycap.examples;

import ai.anycap.client.AnyCapClient;
import ai.anycap.testkit.AnyCapSimulator;
import java.time.Duration;
import java.util.Arrays;

/**
 * Where the examples send their requests: AnyCap, with the key in {@code ANYCAP_API_KEY}; or, when
 * the example is started with {@code --simulate}, the AnyCap simulator in this process (no key, no
 * network, simulated images). The examples' own code only ever sees an {@link AnyCapClient}.
 */
final class ExampleApi implements AutoCloseable {

  private final AnyCapClient client;
  private final AnyCapSimulator simulator;

  private ExampleApi(AnyCapClient client, AnyCapSimulator simulator) {
    this.client = client;
    this.simulator = simulator;
  }

  static ExampleApi fromArgs(String[] args) {
    if (Arrays.asList(args).contains("--simulate")) {
      AnyCapSimulator sim = AnyCapSimulator.builder().latency(Duration.ofMillis(300)).start();
      System.out.println("[simulated] using the AnyCap simulator at " + sim.baseUri() + ": images are simulated");
      return new ExampleApi(sim.client(), sim);
    }
    if (System.getenv(AnyCapClient.API_KEY_ENV) == null) {
      System.err.println("Set " + AnyCapClient.API_KEY_ENV + " to use AnyCap, or pass --simulate to use the built-in simulator.");
      System.exit(2);
    }
    return new ExampleApi(AnyCapClient.fromEnv(), null);
  }

  AnyCapClient client() {
    return client;
  }

  @Override
  public void close() {
    if (simulator != null) {
      simulator.close();
    }
  }
}

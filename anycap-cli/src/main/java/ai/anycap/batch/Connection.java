package ai.anycap.batch;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.PermissionDeniedException;
import ai.anycap.testkit.AnyCapSimulator;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The AnyCap API a command talks to: the real one, with the key from {@code ANYCAP_API_KEY}, or
 * (with {@code --simulate}) a simulator started in this process. Closing it stops the simulator.
 */
final class Connection implements AutoCloseable {

  static final String API_KEY_ENV = AnyCapClient.API_KEY_ENV;
  static final String ENDPOINT_ENV = AnyCapClient.ENDPOINT_ENV;

  final AnyCapClient client;
  /** The simulator, or null for the real API. */
  final AnyCapSimulator simulator;

  private Connection(AnyCapClient client, AnyCapSimulator simulator) {
    this.client = client;
    this.simulator = simulator;
  }

  /**
   * Starts the simulator or builds a client from the environment.
   *
   * @throws BadInputException when there is no key and no {@code --simulate}, naming both ways on
   */
  static Connection open(SimulationOptions sim, CliEnvironment env, Console console) {
    if (sim.simulate) {
      AnyCapSimulator simulator = sim.builder().start();
      env.simulatorStarted().accept(simulator);
      console.err(sim.describe(simulator));
      return new Connection(simulator.client(), simulator);
    }
    String key = env.variable(API_KEY_ENV);
    if (key == null) {
      throw new BadInputException(missingKeyMessage());
    }
    AnyCapClient.Builder b = AnyCapClient.builder();
    try {
      b.apiKey(key);
      String endpoint = env.variable(ENDPOINT_ENV);
      if (endpoint != null) {
        b.endpoint(URI.create(endpoint.strip()));
      }
      return new Connection(b.build(), null);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // The client's messages name the variable, never the key's value.
      throw new BadInputException(e.getMessage(), e);
    }
  }

  static String missingKeyMessage() {
    return String.join(System.lineSeparator(),
        "no AnyCap API key, so nothing was sent. Two ways on:",
        "  export " + API_KEY_ENV + "=<your key>   to generate real images with AnyCap, or",
        "  add --simulate                  to run on the built-in simulator: no key, no network, simulated images.");
  }

  boolean simulated() {
    return simulator != null;
  }

  /**
   * Checks that the API knows every model the batch uses: a typo costs one listing, not a batch of
   * failures.
   *
   * @throws BadInputException for an unknown model, or a key the API refuses
   */
  void checkModels(Collection<String> models) {
    List<String> known = new ArrayList<>();
    for (ModelInfo m : listModels()) {
      known.add(m.id());
    }
    for (String model : models) {
      if (!known.contains(model)) {
        throw new BadInputException(
            "unknown model '" + model + "'; " + (simulated() ? "the simulator" : "AnyCap") + " offers: "
                + String.join(", ", known));
      }
    }
  }

  /**
   * The models the API offers.
   *
   * @throws BadInputException when the API refuses the key
   */
  List<ModelInfo> listModels() {
    try {
      return client.images().models();
    } catch (AuthenticationException | PermissionDeniedException e) {
      throw new BadInputException(
          "AnyCap refused the key in " + API_KEY_ENV + " (" + e.getMessage() + "). Check the key, or add --simulate"
              + " to run on the built-in simulator.", e);
    }
  }

  @Override
  public void close() {
    if (simulator != null) {
      simulator.close();
    }
  }
}

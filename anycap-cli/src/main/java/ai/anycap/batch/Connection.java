package ai.anycap.batch;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapException;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.PermissionDeniedException;
import ai.anycap.pipeline.Budget;
import ai.anycap.testkit.AnyCapSimulator;
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
      if (console != null) {
        console.err(sim.describe(simulator));
      }
      return new Connection(simulator.client(), simulator);
    }
    if (env.variable(API_KEY_ENV) == null) {
      throw new BadInputException(missingKeyMessage());
    }
    try {
      return new Connection(AnyCapClient.builder().fromEnv(env::variable).build(), null);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // The client's messages name the variable (ANYCAP_API_ENDPOINT) and the form it expects,
      // never the key's value.
      throw new BadInputException(e.getMessage(), e);
    }
  }

  /**
   * For {@code estimate} and {@code run --dry-run}: checks the batch against the API when there is
   * one to ask (a key, or {@code --simulate}), as {@code run} would before its first request: the
   * models, each row's parameters against its model's schema, the estimate against the credit
   * balance. Free calls only; no simulator line is printed.
   *
   * @return notes for the user: what could not be checked, and why
   * @throws BadInputException when the batch would be refused
   */
  static List<String> checkIfPossible(
      SimulationOptions sim, CliEnvironment env, BatchInput input, Budget limit, CostOptions cost) {
    if (!sim.simulate && env.variable(API_KEY_ENV) == null) {
      return List.of("the parameters were not checked against the models' schemas, nor the estimate against"
          + " the credit balance: that needs " + API_KEY_ENV + " (or --simulate)");
    }
    try (Connection connection = open(sim, env, null)) {
      try {
        connection.checkModels(input.models());
      } catch (AnyCapException e) {
        return List.of("cannot reach AnyCap at " + connection.client.endpoint() + " (" + e.getMessage()
            + "), so the models, their schemas and the credit balance were not checked");
      }
      return OfflineCheck.online(input, limit, cost, connection.client);
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

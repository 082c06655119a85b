package ai.anycap.batch;

import ai.anycap.testkit.AnyCapSimulator;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the CLI reads from the world around it: environment variables (the only place secrets come
 * from), whether it writes to a terminal, and a hook that sees the simulator it starts. Tests pass
 * their own, so they never depend on the real environment.
 *
 * @param variables environment variable lookup; null for unset
 * @param terminal whether output goes to a terminal (progress bar) or not (plain progress lines)
 * @param simulatorStarted called with each simulator {@code --simulate} starts
 * @param stopOnSignal whether Ctrl-C should stop the batch gracefully (only for the real process)
 */
record CliEnvironment(
    Function<String, String> variables,
    boolean terminal,
    Consumer<AnyCapSimulator> simulatorStarted,
    boolean stopOnSignal) {

  CliEnvironment {
    Objects.requireNonNull(variables, "variables");
    Objects.requireNonNull(simulatorStarted, "simulatorStarted");
  }

  /** The real process: {@link System#getenv}, a terminal when {@link System#console()} has one. */
  static CliEnvironment system() {
    return new CliEnvironment(System::getenv, System.console() != null, sim -> {}, true);
  }

  /** Fixed variables, no terminal, no signal handling: for tests. */
  static CliEnvironment of(Map<String, String> variables, Consumer<AnyCapSimulator> simulatorStarted) {
    Map<String, String> copy = Map.copyOf(variables);
    return new CliEnvironment(copy::get, false, simulatorStarted, false);
  }

  /** The variable's value, or null when it is unset or blank. */
  String variable(String name) {
    String v = variables.apply(name);
    return v == null || v.isBlank() ? null : v;
  }
}

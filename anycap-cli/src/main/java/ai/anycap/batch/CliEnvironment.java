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
 * @param interrupts where Ctrl-C comes from: the JVM's shutdown hook in the real process
 * @param galleryPageSize cards on each page of the gallery ({@link Gallery#PAGE_SIZE}; tests use fewer)
 */
record CliEnvironment(
    Function<String, String> variables,
    boolean terminal,
    Consumer<AnyCapSimulator> simulatorStarted,
    Interrupts interrupts,
    int galleryPageSize) {

  CliEnvironment {
    Objects.requireNonNull(variables, "variables");
    Objects.requireNonNull(simulatorStarted, "simulatorStarted");
    Objects.requireNonNull(interrupts, "interrupts");
    if (galleryPageSize < 1) {
      throw new IllegalArgumentException("galleryPageSize must be positive, got " + galleryPageSize);
    }
  }

  /** The real process: {@link System#getenv}, a terminal when {@link System#console()} has one, Ctrl-C. */
  static CliEnvironment system() {
    return new CliEnvironment(System::getenv, System.console() != null, sim -> {}, Interrupts.jvm(), Gallery.PAGE_SIZE);
  }

  /** Fixed variables, no terminal, no interrupts: for tests. */
  static CliEnvironment of(Map<String, String> variables, Consumer<AnyCapSimulator> simulatorStarted) {
    Map<String, String> copy = Map.copyOf(variables);
    return new CliEnvironment(copy::get, false, simulatorStarted, Interrupts.NONE, Gallery.PAGE_SIZE);
  }

  /** This environment, with interrupts from {@code interrupts}. */
  CliEnvironment withInterrupts(Interrupts interrupts) {
    return new CliEnvironment(variables, terminal, simulatorStarted, interrupts, galleryPageSize);
  }

  /** This environment, with {@code cards} cards on each page of the gallery. */
  CliEnvironment withGalleryPageSize(int cards) {
    return new CliEnvironment(variables, terminal, simulatorStarted, interrupts, cards);
  }

  /** The variable's value, or null when it is unset or blank. */
  String variable(String name) {
    String v = variables.apply(name);
    return v == null || v.isBlank() ? null : v;
  }
}

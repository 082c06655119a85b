package ai.anycap.client.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How long a generate (or edit) call may take, by model: slow models get minutes, because a call
 * cut short by the client is a call the caller may send again, and pay for twice. Immutable.
 *
 * @param byModel timeouts of models that have their own
 * @param others the timeout of every other model
 */
public record ModelTimeouts(Map<String, Duration> byModel, Duration others) {

  /**
   * The built-in timeouts: nano-banana-2 2 minutes (it answers in seconds), nano-banana-pro 3
   * minutes, seedream-5 and any other model 5 minutes (a third of seedream-5's generations take
   * over a minute).
   */
  public static final ModelTimeouts DEFAULTS = new ModelTimeouts(
      Map.of("nano-banana-2", Duration.ofMinutes(2), "nano-banana-pro", Duration.ofMinutes(3),
          "seedream-5", Duration.ofMinutes(5)),
      Duration.ofMinutes(5));

  /** Timeouts, copied. */
  public ModelTimeouts {
    byModel = Map.copyOf(byModel);
    Objects.requireNonNull(others, "others");
  }

  /** The timeout of {@code model}. */
  public Duration of(String model) {
    return model == null ? others : byModel.getOrDefault(model, others);
  }

  /** These timeouts with {@code model} given its own. */
  public ModelTimeouts with(String model, Duration timeout) {
    Map<String, Duration> next = new LinkedHashMap<>(byModel);
    next.put(Objects.requireNonNull(model, "model"), timeout);
    return new ModelTimeouts(next, others);
  }

  /** The same timeout for every model. */
  public static ModelTimeouts all(Duration timeout) {
    return new ModelTimeouts(Map.of(), timeout);
  }
}

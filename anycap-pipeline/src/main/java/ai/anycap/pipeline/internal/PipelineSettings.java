package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.Model;
import ai.anycap.client.PriceTable;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.OutputCheck;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.SharedPace;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What an {@code ImagePipeline} was built with: an immutable value that the builder replaces with
 * {@link #with} at each setting, so that {@code build()} hands over a value no later call can
 * change. Each setting is a typed {@link Key} that carries its default, so a new setting is one
 * key here and one setter on the builder.
 */
public final class PipelineSettings {

  /** The client requests go through; required, no default. */
  public static final Key<AnyCapClient> CLIENT = new Key<>("client", null);
  public static final Key<PromptTemplates> TEMPLATES = new Key<>("templates", PromptTemplates.of());
  public static final Key<Integer> CONCURRENCY = new Key<>("concurrency", 4);
  public static final Key<Retry> RETRY = new Key<>("retry", Retry.defaults());
  public static final Key<Path> OUTPUT_ROOT = new Key<>("outputRoot", Path.of("output"));
  /** The directory local reference paths are relative to, and may not leave; the working directory by default. */
  public static final Key<Path> REFERENCE_DIRECTORY = new Key<>("referenceDirectory", Path.of(""));
  /** The journal file; none by default. */
  public static final Key<Path> JOURNAL = new Key<>("journal", null);
  public static final Key<Budget> BUDGET = new Key<>("budget", Budget.unlimited());
  public static final Key<PriceTable> PRICES = new Key<>("prices", PriceTable.defaults());
  public static final Key<String> DEFAULT_MODEL = new Key<>("defaultModel", Model.NANO_BANANA_2.id());
  public static final Key<Map<String, Object>> DEFAULT_PARAMS = new Key<>("defaultParams", Map.of());
  public static final Key<List<PipelineListener>> LISTENERS = new Key<>("listeners", List.of());
  public static final Key<Duration> JOB_TIMEOUT = new Key<>("jobTimeout", Duration.ofMinutes(10));
  /** The longest one request may take; unset, each model's generate timeout in the client decides. */
  public static final Key<Duration> ATTEMPT_TIMEOUT = new Key<>("attemptTimeout", null);
  /** How a rerun checks the images the journal records before skipping their jobs. */
  public static final Key<OutputCheck> OUTPUT_CHECK = new Key<>("outputCheck", OutputCheck.SIZE);
  /** The executor for retry delays; by default the pipeline makes (and shuts down) its own. */
  public static final Key<ScheduledExecutorService> SCHEDULER = new Key<>("scheduler", null);
  public static final Key<Clock> CLOCK = new Key<>("clock", Clock.systemUTC());
  public static final Key<Boolean> SKIP_INVALID_ROWS = new Key<>("skipInvalidRows", false);
  public static final Key<Boolean> DEDUPLICATE = new Key<>("deduplicate", true);
  /** The sinks, flattened and in delivery order, with distinct names. */
  public static final Key<List<ImageSink>> SINKS = new Key<>("sinks", List.of());
  public static final Key<Retry> SINK_RETRY = new Key<>("sinkRetry", Retry.defaults());
  public static final Key<Boolean> ADAPTIVE_RATE = new Key<>("adaptiveRate", true);
  /** Generate requests a second at most; infinite (no fixed rate) by default. */
  public static final Key<Double> RATE_LIMIT = new Key<>("rateLimit", Double.POSITIVE_INFINITY);
  /** The pace shared with other pipelines on the account; none (the pace is this pipeline's) by default. */
  public static final Key<SharedPace> SHARED_PACE = new Key<>("sharedPace", null);

  /** Whether each job's parameters are checked against its model's schema before a batch runs. */
  public static final Key<Boolean> SCHEMA_CHECK = new Key<>("schemaCheck", true);
  /** Whether a batch's estimate is held against the account's credit balance before it runs. */
  public static final Key<Boolean> BALANCE_CHECK = new Key<>("balanceCheck", true);
  /** The longest prompt a job may send, in characters. */
  public static final Key<Integer> MAX_PROMPT_LENGTH = new Key<>("maxPromptLength", 8_000);

  /** Every setting at its default. */
  public static final PipelineSettings DEFAULTS = new PipelineSettings(Map.of());

  private final Map<Key<?>, Object> values;

  private PipelineSettings(Map<Key<?>, Object> values) {
    this.values = values;
  }

  /** The setting's value, or its default when it was never set. */
  @SuppressWarnings("unchecked") // with() only stores a key's own type under it
  public <T> T get(Key<T> key) {
    Object value = values.get(key);
    return value == null ? key.defaultValue : (T) value;
  }

  /** Whether the setting was given a value (a key whose default is null has none until then). */
  public boolean has(Key<?> key) {
    return values.containsKey(key);
  }

  /** These settings with {@code key} set to {@code value}; this value is unchanged. */
  public <T> PipelineSettings with(Key<T> key, T value) {
    Map<Key<?>, Object> next = new HashMap<>(values);
    next.put(key, Objects.requireNonNull(value, key.name));
    return new PipelineSettings(Collections.unmodifiableMap(next));
  }

  /** These settings with {@code item} appended to the list under {@code key}. */
  public <T> PipelineSettings withAdded(Key<List<T>> key, T item) {
    List<T> next = new ArrayList<>(get(key));
    next.add(Objects.requireNonNull(item, key.name));
    return with(key, List.copyOf(next));
  }

  /** These settings with {@code name} mapped to {@code value} in the map under {@code key}, in order. */
  public <T> PipelineSettings withEntry(Key<Map<String, T>> key, String name, T value) {
    Map<String, T> next = new LinkedHashMap<>(get(key));
    next.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
    return with(key, Collections.unmodifiableMap(next));
  }

  /**
   * These settings with {@code sinks} added after the sinks there are.
   *
   * @throws IllegalArgumentException when two sinks then have the same name
   */
  public PipelineSettings withSinks(List<ImageSink> sinks) {
    List<ImageSink> next = new ArrayList<>(get(SINKS));
    next.addAll(sinks);
    Set<String> names = new HashSet<>();
    for (ImageSink s : next) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException(
            "two sinks are named '" + s.name() + "'; the journal tells them apart by name, so give them distinct names");
      }
    }
    return with(SINKS, List.copyOf(next));
  }

  /**
   * A count, checked.
   *
   * @throws IllegalArgumentException naming the setting when it is below 1
   */
  public static int atLeastOne(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
    return value;
  }

  /**
   * A rate of requests a second, checked.
   *
   * @throws IllegalArgumentException when it is not a positive, finite number
   */
  public static double positiveRate(double requestsPerSecond) {
    if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
      throw new IllegalArgumentException("rateLimit must be a positive number, got " + requestsPerSecond);
    }
    return requestsPerSecond;
  }

  /**
   * A timeout, checked.
   *
   * @throws IllegalArgumentException naming the setting when it is zero or negative
   */
  public static Duration positive(Duration timeout, String name) {
    Objects.requireNonNull(timeout, name);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + timeout);
    }
    return timeout;
  }

  /**
   * One setting: its name (for messages) and its default.
   *
   * @param <T> the type of its value
   */
  public static final class Key<T> {
    private final String name;
    private final T defaultValue;

    private Key(String name, T defaultValue) {
      this.name = name;
      this.defaultValue = defaultValue;
    }

    /** The setting's name, as the builder's setter is named. */
    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}

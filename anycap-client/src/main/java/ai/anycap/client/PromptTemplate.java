package ai.anycap.client;

import ai.anycap.client.internal.TemplateScanner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A prompt with named blanks, so hundreds of images can share one carefully written prompt and
 * differ only in the values filled in. A template may also carry the model and model parameters
 * (such as {@code aspect_ratio}) its prompt was written for.
 *
 * <p>Syntax: {@code {name}} is a placeholder; names use letters, digits, {@code _}, {@code -} and
 * {@code .}, with no spaces. Write <code>{{</code> and <code>}}</code> for literal braces. The
 * text is checked when the template is created, so a typo fails at load time rather than
 * mid-batch. Values are inserted verbatim and never scanned for placeholders again.
 *
 * <p>Instances are immutable and safe to share between threads.
 *
 * <pre>{@code
 * PromptTemplate hero = PromptTemplate.of("product_hero",
 *     "E-commerce product photo: {product_name}, {color}, studio lighting");
 * hero.placeholders();  // [product_name, color]
 * hero.render(Map.of("product_name", "desk lamp", "color", "teal"));
 * }</pre>
 */
public final class PromptTemplate {

  /** The name used in messages for a template created without one. */
  static final String UNNAMED = "<inline>";

  private final String name;
  private final String text;
  private final String model;
  private final Map<String, Object> parameters;
  private final TemplateScanner.Scanned scanned;
  private final List<String> placeholders;

  private PromptTemplate(String name, String text, String model, Map<String, Object> parameters) {
    if (name.isBlank()) {
      throw new PromptTemplateException("template name must not be blank", name, null);
    }
    if (text == null) {
      throw new PromptTemplateException("template '" + name + "' has no text", name, null);
    }
    this.name = name;
    this.text = text;
    this.model = model;
    this.parameters = Collections.unmodifiableMap(parameters);
    this.scanned = TemplateScanner.scan(name, text);
    this.placeholders = List.copyOf(new LinkedHashSet<>(scanned.occurrences()));
  }

  /**
   * An unnamed template; messages call it {@code <inline>}.
   *
   * @param text the template text, such as {@code "a photo of {product}"}
   * @return the template
   * @throws PromptTemplateException if the text is malformed (an unclosed brace, say)
   */
  public static PromptTemplate of(String text) {
    return builder().text(text).build();
  }

  /**
   * A named template; the name appears in every error about it.
   *
   * @param name not blank
   * @param text the template text
   * @return the template
   * @throws PromptTemplateException if the text is malformed or the name blank
   */
  public static PromptTemplate of(String name, String text) {
    return builder().name(name).text(text).build();
  }

  /**
   * A builder for a template with defaults; only the text is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this template's fields, to derive a variant.
   *
   * @return a new builder; changing it does not change this template
   */
  public Builder toBuilder() {
    Builder builder = builder().name(name).text(text).parameters(parameters);
    return model == null ? builder : builder.model(model);
  }

  /**
   * The name.
   *
   * @return the name, or {@code <inline>} for a template created without one
   */
  public String name() {
    return name;
  }

  /**
   * The text exactly as given, braces and all.
   *
   * @return the template text
   */
  public String text() {
    return text;
  }

  /**
   * The keys {@link #render} needs.
   *
   * @return distinct placeholder names in order of first appearance; unmodifiable
   */
  public List<String> placeholders() {
    return placeholders;
  }

  /**
   * The model this prompt was written for.
   *
   * @return the model id, or empty when the template names none
   */
  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  /**
   * Default model parameters, such as {@code aspect_ratio}.
   *
   * @return in insertion order; unmodifiable, deeply; possibly empty
   */
  public Map<String, Object> parameters() {
    return parameters;
  }

  /**
   * Fills every placeholder with {@code String.valueOf} of its value. Keys the template does not
   * use are ignored, so one row of data can feed several templates.
   *
   * @param values placeholder name to value
   * @return the prompt
   * @throws PromptTemplateException if any placeholder has no value or a null one; the message
   *     lists every missing key, not just the first
   */
  public String render(Map<String, ?> values) {
    Objects.requireNonNull(values, "values");
    List<String> missing = new ArrayList<>();
    for (String placeholder : placeholders) {
      if (values.get(placeholder) == null) {
        missing.add(placeholder);
      }
    }
    if (!missing.isEmpty()) {
      throw missingValues(missing, values);
    }
    List<String> literals = scanned.literals();
    List<String> occurrences = scanned.occurrences();
    StringBuilder out = new StringBuilder(text.length() + 16 * occurrences.size());
    out.append(literals.get(0));
    for (int i = 0; i < occurrences.size(); i++) {
      out.append(values.get(occurrences.get(i))).append(literals.get(i + 1));
    }
    return out.toString();
  }

  private PromptTemplateException missingValues(List<String> missing, Map<String, ?> values) {
    List<String> braced = new ArrayList<>();
    missing.forEach(key -> braced.add("{" + key + "}"));
    // Keys mapped to null are shown as such: "I did pass color!" is the usual confusion.
    TreeSet<String> given = new TreeSet<>();
    values.forEach((key, value) -> {
      if (key != null) {
        given.add(value == null ? key + "=null" : key);
      }
    });
    String message =
        "template '"
            + name
            + "' needs "
            + (missing.size() == 1 ? "a value for " : "values for ")
            + String.join(", ", braced)
            + "; given: "
            + given;
    return new PromptTemplateException(message, name, missing.get(0));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptTemplate that
        && name.equals(that.name)
        && text.equals(that.text)
        && Objects.equals(model, that.model)
        && parameters.equals(that.parameters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, text, model, parameters);
  }

  @Override
  public String toString() {
    return "PromptTemplate[name="
        + name
        + ", text=\""
        + text
        + "\""
        + (model == null ? "" : ", model=" + model)
        + (parameters.isEmpty() ? "" : ", parameters=" + parameters)
        + "]";
  }

  /** Collects a template's fields; not thread-safe. {@link #build()} copies and checks them. */
  public static final class Builder {
    private String name = UNNAMED;
    private String text;
    private String model;
    private final Map<String, Object> parameters = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The name errors and {@link PromptTemplates} use. Default: {@code <inline>}.
     *
     * @param name not blank (checked by {@link #build()})
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The template text. Required, no default; checked on {@link #build()}.
     *
     * @param text such as {@code "a photo of {product}, {{literal braces}}"}
     * @return this builder
     */
    public Builder text(String text) {
      this.text = Objects.requireNonNull(text, "text");
      return this;
    }

    /**
     * The model this prompt was written for; callers may still override it per request.
     * Default: none.
     *
     * @param model a model id
     * @return this builder
     */
    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Sets one default parameter, replacing any earlier value for the key. Maps and lists are
     * copied deeply on {@link #build()}, so the template stays immutable. Default: no parameters.
     *
     * @param key the parameter's name
     * @param value its value
     * @return this builder
     */
    public Builder parameter(String key, Object value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, () -> "value of parameter '" + key + "'");
      parameters.put(key, value);
      return this;
    }

    /**
     * Adds every entry of {@code parameters}, as {@link #parameter} would one by one.
     *
     * @param parameters name to value
     * @return this builder
     */
    public Builder parameters(Map<String, ?> parameters) {
      Objects.requireNonNull(parameters, "parameters").forEach(this::parameter);
      return this;
    }

    /**
     * Checks the text and builds the template; the builder can be reused.
     *
     * @return a new, immutable template
     * @throws PromptTemplateException if the text is missing or malformed, or the name is blank
     */
    public PromptTemplate build() {
      Map<String, Object> frozen = new LinkedHashMap<>();
      parameters.forEach((key, value) -> frozen.put(key, freeze(value)));
      return new PromptTemplate(name, text, model, frozen);
    }

    private static Object freeze(Object value) {
      if (value instanceof Map<?, ?> map) {
        Map<Object, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, freeze(v)));
        return Collections.unmodifiableMap(copy);
      }
      if (value instanceof List<?> list) {
        List<Object> copy = new ArrayList<>(list.size());
        list.forEach(v -> copy.add(freeze(v)));
        return Collections.unmodifiableList(copy);
      }
      return value;
    }
  }
}

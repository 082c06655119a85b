package ai.anycap.client;

import ai.anycap.client.internal.PromptTemplatesJson;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A named set of {@link PromptTemplate}s, typically loaded from one JSON file so prompts can be
 * edited without touching code. Immutable and safe to share between threads.
 *
 * <p>The file is a JSON object from template name to either the template text or an object with
 * the text and its defaults ({@code "prompt"} may be written {@code "text"}, {@code "parameters"}
 * may be written {@code "params"}; any other key is an error, to catch typos):
 *
 * <pre>{@code
 * {
 *   "blog_hero": "Blog header illustration: {topic}, {style} style, 1200x630",
 *   "product_hero": {
 *     "prompt": "E-commerce product photo: {product_name}, {color}, white background",
 *     "model": "nano-banana-2",
 *     "parameters": {"aspect_ratio": "1:1"}
 *   }
 * }
 * }</pre>
 *
 * <pre>{@code
 * PromptTemplates templates = PromptTemplates.fromJson(Path.of("prompts.json"));
 * String prompt =
 *     templates.render("product_hero", Map.of("product_name", "lamp", "color", "teal"));
 * }</pre>
 */
public final class PromptTemplates {

  private final Map<String, PromptTemplate> byName;

  private PromptTemplates(Map<String, PromptTemplate> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /**
   * Loads templates from a JSON file. Every template is parsed now, so a broken one fails here
   * rather than halfway through a batch.
   *
   * @param file a UTF-8 JSON file
   * @return the templates, by name
   * @throws PromptTemplateException naming the file (and the line, template or key at fault) if the
   *     file is missing, unreadable, not valid JSON, or holds a malformed template
   */
  public static PromptTemplates fromJson(Path file) {
    Objects.requireNonNull(file, "file");
    return of(PromptTemplatesJson.read(file));
  }

  /**
   * As {@link #fromJson(Path)} for JSON already in memory; {@code sourceName} stands in for the
   * file name in error messages (say, a classpath resource or a config key).
   *
   * @param json the JSON object, as {@link #fromJson(Path)} reads it from a file
   * @param sourceName where the JSON came from, for messages
   * @return the templates, by name
   * @throws PromptTemplateException naming {@code sourceName} if the JSON is invalid or holds a
   *     malformed template
   */
  public static PromptTemplates parse(String json, String sourceName) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(sourceName, "sourceName");
    return of(PromptTemplatesJson.read(json, sourceName));
  }

  /**
   * A set of templates built in code.
   *
   * @param templates named templates
   * @return the templates, by name
   * @throws PromptTemplateException if two templates share a name or one is unnamed
   */
  public static PromptTemplates of(PromptTemplate... templates) {
    return of(Arrays.asList(Objects.requireNonNull(templates, "templates")));
  }

  /**
   * A set of templates built in code.
   *
   * @param templates named templates
   * @return the templates, by name
   * @throws PromptTemplateException if two templates share a name or one is unnamed
   */
  public static PromptTemplates of(Collection<PromptTemplate> templates) {
    Objects.requireNonNull(templates, "templates");
    Map<String, PromptTemplate> byName = new TreeMap<>();
    for (PromptTemplate template : templates) {
      Objects.requireNonNull(template, "template");
      String name = template.name();
      if (name.equals(PromptTemplate.UNNAMED)) {
        throw new PromptTemplateException(
            "a template collection needs named templates; got " + template, name, null);
      }
      if (byName.putIfAbsent(name, template) != null) {
        throw new PromptTemplateException("duplicate template name '" + name + "'", name, null);
      }
    }
    return new PromptTemplates(byName);
  }

  /**
   * The template called {@code name}.
   *
   * @param name the template's name
   * @return the template
   * @throws PromptTemplateException if there is none; the message lists the known names, which
   *     is usually enough to spot the typo
   */
  public PromptTemplate template(String name) {
    Objects.requireNonNull(name, "name");
    PromptTemplate template = byName.get(name);
    if (template == null) {
      throw new PromptTemplateException(
          "unknown template '" + name + "'; known templates: " + byName.keySet(), name, null);
    }
    return template;
  }

  /**
   * The template called {@code name}, for callers that have a fallback.
   *
   * @param name the template's name
   * @return the template, or empty
   */
  public Optional<PromptTemplate> find(String name) {
    return Optional.ofNullable(byName.get(Objects.requireNonNull(name, "name")));
  }

  /**
   * Whether a template called {@code name} exists.
   *
   * @param name the template's name
   * @return true when it does
   */
  public boolean contains(String name) {
    return byName.containsKey(Objects.requireNonNull(name, "name"));
  }

  /**
   * The templates' names.
   *
   * @return in sorted order; unmodifiable
   */
  public Set<String> names() {
    return byName.keySet();
  }

  /**
   * The number of templates.
   *
   * @return how many there are
   */
  public int size() {
    return byName.size();
  }

  /**
   * Shorthand for {@code template(name).render(values)}.
   *
   * @param name the template's name
   * @param values placeholder name to value
   * @return the prompt
   * @throws PromptTemplateException if the template is unknown or a value is missing
   */
  public String render(String name, Map<String, ?> values) {
    return template(name).render(values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptTemplates that && byName.equals(that.byName);
  }

  @Override
  public int hashCode() {
    return byName.hashCode();
  }

  @Override
  public String toString() {
    return "PromptTemplates" + byName.keySet();
  }
}

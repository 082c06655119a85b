package ai.anycap.client;

import java.util.Optional;

/**
 * The one error type for prompt templates: a malformed template, a value missing at render time, a
 * template file that cannot be read or parsed, or an unknown template name.
 *
 * <p>The message is written for a human and always names the template (and the placeholder, and
 * for load errors the source file) concerned; {@link #templateName()} and {@link #key()} expose the
 * same facts to code that wants to react to them without parsing the message.
 *
 * @serial exclude
 */
public final class PromptTemplateException extends AnyCapException {

  private final String templateName;
  private final String key;

  /**
   * Creates one for a problem found by checking a template.
   *
   * @param message complete, human-readable description of the problem
   * @param templateName the template concerned, or null when none is
   * @param key the placeholder concerned, or null when none is
   */
  public PromptTemplateException(String message, String templateName, String key) {
    this(message, templateName, key, null);
  }

  /**
   * As {@link #PromptTemplateException(String, String, String)}, keeping the underlying cause.
   *
   * @param message complete, human-readable description of the problem
   * @param templateName the template concerned, or null when none is
   * @param key the placeholder concerned, or null when none is
   * @param cause the failure beneath, such as the JSON parser's, or null
   */
  public PromptTemplateException(
      String message, String templateName, String key, Throwable cause) {
    super(message, cause);
    this.templateName = templateName;
    this.key = key;
  }

  /**
   * The template concerned.
   *
   * @return its name; empty for errors about a whole file or collection
   */
  public Optional<String> templateName() {
    return Optional.ofNullable(templateName);
  }

  /**
   * The placeholder concerned.
   *
   * @return its name (for missing values, the first one missing); empty otherwise
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }
}

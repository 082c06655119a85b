package ai.anycap.client;

import java.util.Optional;

/**
 * The one error type for prompt templates: a malformed template, a value missing at render time, a
 * template file that cannot be read or parsed, or an unknown template name.
 *
 * <p>The message is written for a human and always names the template (and the placeholder, and
 * for load errors the source file) concerned; {@link #templateName()} and {@link #key()} expose the
 * same facts to code that wants to react to them without parsing the message.
 */
public final class PromptTemplateException extends AnyCapException {

  private final String templateName;
  private final String key;

  /**
   * @param message complete, human-readable description of the problem
   * @param templateName the template concerned, or null when none is
   * @param key the placeholder concerned, or null when none is
   */
  public PromptTemplateException(String message, String templateName, String key) {
    this(message, templateName, key, null);
  }

  /** As {@link #PromptTemplateException(String, String, String)}, keeping the underlying cause. */
  public PromptTemplateException(
      String message, String templateName, String key, Throwable cause) {
    super(message, cause);
    this.templateName = templateName;
    this.key = key;
  }

  /** The template concerned; empty for errors about a whole file or collection. */
  public Optional<String> templateName() {
    return Optional.ofNullable(templateName);
  }

  /** The placeholder concerned (for a missing value, the first one missing); empty otherwise. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }
}

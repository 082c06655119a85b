package ai.anycap.client.internal;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds the API key so that it cannot leak through {@code toString()}, a debugger's summary or a
 * log line by accident; only {@link #authorizationHeader()} reveals it.
 */
public final class ApiKey {

  private final String value;
  /** The key as it may appear in text: each character literal or JSON-escaped ({@code \\u0061}). */
  private final Pattern anyForm;

  private ApiKey(String value) {
    this.value = value;
    this.anyForm = Pattern.compile(anyFormOf(value));
  }

  private static String anyFormOf(String key) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      regex.append("(?:").append(Pattern.quote(String.valueOf(c))).append("|\\\\[uU]");
      for (char h : String.format("%04x", (int) c).toCharArray()) {
        regex.append(Character.isDigit(h) ? String.valueOf(h) : "[" + h + Character.toUpperCase(h) + "]");
      }
      regex.append(')');
    }
    return regex.toString();
  }

  /**
   * @throws IllegalArgumentException when blank or not a single header-safe token; the message
   *     never quotes the key
   */
  public static ApiKey of(String value) {
    Objects.requireNonNull(value, "apiKey");
    String trimmed = value.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("API key is blank; set ANYCAP_API_KEY or call apiKey(...)");
    }
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        throw new IllegalArgumentException(
            "API key contains a whitespace, control or non-ASCII character at index " + i);
      }
    }
    return new ApiKey(trimmed);
  }

  public String authorizationHeader() {
    return "Bearer " + value;
  }

  /**
   * Whether {@code text} contains the key, literally or JSON-escaped, to keep it out of messages
   * built from server text.
   */
  public boolean occursIn(String text) {
    return text != null && anyForm.matcher(text).find();
  }

  /**
   * {@code text} with every occurrence of the key replaced by {@code [redacted]}, whether it stands
   * literally or JSON-escaped: a server that echoes the key escaped ({@code \\u0061k_...}) would
   * otherwise get it past a literal search and into a message once the JSON is parsed.
   */
  public String redact(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = anyForm.matcher(text);
    return m.find() ? m.replaceAll("[redacted]") : text;
  }

  @Override
  public String toString() {
    return "[redacted]";
  }
}

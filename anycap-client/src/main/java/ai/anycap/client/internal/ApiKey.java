package ai.anycap.client.internal;

import java.util.Objects;

/**
 * Holds the API key so that it cannot leak through {@code toString()}, a debugger's summary or a
 * log line by accident; only {@link #authorizationHeader()} reveals it.
 */
public final class ApiKey {

  private final String value;

  private ApiKey(String value) {
    this.value = value;
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

  /** Whether {@code text} contains the key, to keep it out of messages built from server text. */
  public boolean occursIn(String text) {
    return text != null && text.contains(value);
  }

  public String redact(String text) {
    return text == null ? null : text.replace(value, "[redacted]");
  }

  @Override
  public String toString() {
    return "[redacted]";
  }
}

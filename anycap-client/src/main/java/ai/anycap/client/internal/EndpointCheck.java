package ai.anycap.client.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What is wrong with an API endpoint, said for the place it came from ({@code
 * ANYCAP_API_ENDPOINT} or the builder's {@code endpoint(URI)}), with the form expected. A user who
 * typed {@code api.anycap.ai} or {@code ftp://...} learns where to fix it and how.
 */
public final class EndpointCheck {

  /** The form every message shows. */
  public static final String EXPECTED = "https://api.anycap.ai";

  private EndpointCheck() {}

  /**
   * Parses {@code raw} (from {@code origin}) into an endpoint.
   *
   * @param raw the text, such as an environment variable's value
   * @param origin where it came from, such as {@code ANYCAP_API_ENDPOINT}
   * @return the endpoint
   * @throws IllegalArgumentException naming {@code origin}, the value and the expected form
   */
  public static URI parse(String raw, String origin) {
    String text = raw.strip();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw refusal(origin, text, "it is not a URL (" + e.getReason() + " at index " + e.getIndex() + ")");
    }
    check(uri, origin);
    return uri;
  }

  /**
   * Checks an endpoint.
   *
   * @param uri the endpoint
   * @param origin where it came from, such as {@code endpoint(URI)}
   * @throws IllegalArgumentException naming {@code origin}, the value and the expected form
   */
  public static void check(URI uri, String origin) {
    String reason = reason(uri);
    if (reason != null) {
      throw refusal(origin, uri.toString(), reason);
    }
  }

  private static String reason(URI uri) {
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null) {
      return "it has no scheme (https://)";
    }
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "its scheme is " + scheme + ":, and only https (or http on loopback) is spoken";
    }
    if (uri.getHost() == null) {
      return "it has no host" + (uri.getRawAuthority() == null ? "" : " that parses (" + uri.getRawAuthority() + ")");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "it has a query or fragment";
    }
    return null;
  }

  private static IllegalArgumentException refusal(String origin, String value, String reason) {
    return new IllegalArgumentException(
        origin + " is '" + withoutUserInfo(value) + "', which is not an API endpoint: " + reason
            + ". Expected the form " + EXPECTED);
  }

  /** The value as shown in messages: a password in {@code user:password@} is never repeated. */
  private static String withoutUserInfo(String value) {
    return value.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1***@");
  }
}

package ai.anycap.s3.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Makes a value safe for an {@code x-amz-meta-*} header. S3 user metadata travels as HTTP
 * headers, which carry printable US-ASCII only and lose outer spaces; other text is sent RFC 2047 encoded ({@code
 * =?UTF-8?B?...?=}), the form S3 itself uses when it returns such metadata.
 */
public final class UserMetadata {

  private UserMetadata() {}

  public static String encode(String value) {
    if (printableAscii(value)) {
      return value;
    }
    return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  private static boolean printableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    // HTTP trims a header's outer spaces; and a value that already looks encoded is encoded
    // again, so that decoding gives it back unchanged.
    return !value.startsWith("=?") && value.strip().equals(value);
  }
}

package ai.anycap.sinks.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is the base64
 * HMAC-SHA256, under the secret, of {@code "<webhook-id>.<webhook-timestamp>.<body>"}, sent as
 * {@code v1,<signature>}. Messages never include a secret.
 */
public final class WebhookSignatures {

  public static final String ID_HEADER = "webhook-id";
  public static final String TIMESTAMP_HEADER = "webhook-timestamp";
  public static final String SIGNATURE_HEADER = "webhook-signature";
  public static final String VERSION = "v1";

  private static final String WHSEC = "whsec_";

  private WebhookSignatures() {}

  /**
   * The key in a secret's text: the base64 after {@code whsec_} (the Standard Webhooks form), or
   * else the text's UTF-8 bytes.
   *
   * @throws IllegalArgumentException when the secret is empty or its {@code whsec_} part is not
   *     base64 (the message never quotes the secret)
   */
  public static byte[] key(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.startsWith(WHSEC)) {
      try {
        return nonEmpty(Base64.getDecoder().decode(secret.substring(WHSEC.length()).strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the webhook secret starts with whsec_ but the rest is not base64");
      }
    }
    return nonEmpty(secret.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] nonEmpty(byte[] key) {
    if (Objects.requireNonNull(key, "secret").length == 0) {
      throw new IllegalArgumentException("the webhook secret is empty");
    }
    return key.clone();
  }

  /** The key in an environment variable, or an exception naming the variable (not its value). */
  public static byte[] keyFromEnv(String variable, Map<String, String> env) {
    Objects.requireNonNull(variable, "variable");
    String value = env.get(variable);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("environment variable " + variable + " is not set; it should hold the webhook secret");
    }
    try {
      return key(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (from environment variable " + variable + ")");
    }
  }

  /** The raw HMAC-SHA256 of {@code "<id>.<timestamp>.<body>"}. */
  public static byte[] hmac(byte[] key, String id, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** The {@code webhook-signature} header value: {@code v1,<base64>}. */
  public static String signature(byte[] key, String id, String timestamp, String body) {
    return VERSION + "," + Base64.getEncoder().encodeToString(hmac(key, id, timestamp, body));
  }

  /**
   * A message id that is the same each time one job's image is delivered (so a receiver can drop
   * a retried delivery) and different for another job or another image.
   */
  public static String messageId(String jobId, String sha256) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] h = d.digest((jobId + "\n" + sha256).getBytes(StandardCharsets.UTF_8));
      return "msg_" + HexFormat.of().formatHex(h, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}

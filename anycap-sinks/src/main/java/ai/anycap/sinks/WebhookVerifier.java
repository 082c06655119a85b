package ai.anycap.sinks;

import ai.anycap.sinks.WebhookVerificationException.Reason;
import ai.anycap.sinks.internal.WebhookSignatures;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks, on the receiving side, that a request came from a {@link WebhookSink} holding the same
 * secret, and is recent: the Standard Webhooks scheme, so any Standard Webhooks library can verify
 * the same requests.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.create(System.getenv("ANYCAP_WEBHOOK_SECRET"));
 * // in the handler, with the body exactly as received:
 * verifier.verify(request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"),
 *     request.getHeader("webhook-signature"), body);   // throws WebhookVerificationException
 * }</pre>
 *
 * <p>A secret is either in the Standard Webhooks form {@code whsec_<base64>} or any other text,
 * used as its UTF-8 bytes. To rotate a secret, verify with both the old and the new one ({@link
 * #create(List)}) while senders move over. The signature header may carry several signatures
 * separated by spaces ({@code v1,abc v1,def}); one match is enough. Signatures are compared in
 * constant time.
 *
 * <p>Defaults: a timestamp may be up to 5 minutes old or ahead of this machine's clock, the system
 * UTC clock. Immutable and thread-safe.
 */
public final class WebhookVerifier {

  private static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final List<byte[]> keys;
  private final Duration tolerance;
  private final Clock clock;

  private WebhookVerifier(List<byte[]> keys, Duration tolerance, Clock clock) {
    this.keys = keys;
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /**
   * A verifier for one secret, {@code whsec_<base64>} or plain text.
   *
   * @param secret the secret, as the sender has it
   * @return the verifier, with the default tolerance and clock
   * @throws IllegalArgumentException when the secret is empty, or not base64 after {@code whsec_}
   */
  public static WebhookVerifier create(String secret) {
    return create(List.of(Objects.requireNonNull(secret, "secret")));
  }

  /**
   * A verifier for one secret given as its bytes.
   *
   * @param secret the key bytes, not empty
   * @return the verifier, with the default tolerance and clock
   */
  public static WebhookVerifier create(byte[] secret) {
    return new WebhookVerifier(List.of(WebhookSignatures.nonEmpty(secret)), DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /**
   * A verifier that accepts a signature made with any of these secrets: the old and the new one
   * while a secret is rotated.
   *
   * @param secrets one or more secrets, each {@code whsec_<base64>} or plain text
   * @return the verifier, with the default tolerance and clock
   * @throws IllegalArgumentException when the list is empty or a secret is invalid
   */
  public static WebhookVerifier create(List<String> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("WebhookVerifier needs at least one secret");
    }
    List<byte[]> keys = new ArrayList<>();
    for (String s : secrets) {
      keys.add(WebhookSignatures.key(Objects.requireNonNull(s, "secret")));
    }
    return new WebhookVerifier(List.copyOf(keys), DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /**
   * A verifier for the secret in an environment variable.
   *
   * @param variable the variable's name, such as {@code ANYCAP_WEBHOOK_SECRET}
   * @return the verifier, with the default tolerance and clock
   * @throws IllegalStateException when the variable is not set
   */
  public static WebhookVerifier fromEnv(String variable) {
    return fromEnv(variable, System.getenv());
  }

  static WebhookVerifier fromEnv(String variable, Map<String, String> env) {
    return new WebhookVerifier(
        List.of(WebhookSignatures.keyFromEnv(variable, env)), DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /**
   * How far a timestamp may be from now, in the past or the future; default 5 minutes.
   *
   * @param tolerance a duration, not negative
   * @return a verifier like this one with that tolerance
   */
  public WebhookVerifier withTolerance(Duration tolerance) {
    Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
    }
    return new WebhookVerifier(keys, tolerance, clock);
  }

  /**
   * The clock timestamps are checked against; default the system UTC clock.
   *
   * @param clock the clock
   * @return a verifier like this one with that clock
   */
  public WebhookVerifier withClock(Clock clock) {
    return new WebhookVerifier(keys, tolerance, Objects.requireNonNull(clock, "clock"));
  }

  /**
   * How far a timestamp may be from now.
   *
   * @return the tolerance
   */
  public Duration tolerance() {
    return tolerance;
  }

  /**
   * Verifies a request given its headers (names in any case, as from {@code
   * java.net.http.HttpHeaders#map()} or most servers) and its body exactly as received.
   *
   * @param headers the request's headers, each name with its values
   * @param body the body, exactly as received
   * @throws WebhookVerificationException when the request is not authentic or not recent
   */
  public void verify(Map<String, List<String>> headers, String body) {
    Objects.requireNonNull(headers, "headers");
    verify(
        header(headers, WebhookSignatures.ID_HEADER, false),
        header(headers, WebhookSignatures.TIMESTAMP_HEADER, false),
        header(headers, WebhookSignatures.SIGNATURE_HEADER, true),
        body);
  }

  /**
   * Verifies a request given the values of its {@code webhook-id}, {@code webhook-timestamp} and
   * {@code webhook-signature} headers (null when absent) and its body exactly as received.
   *
   * @param id the {@code webhook-id} header
   * @param timestamp the {@code webhook-timestamp} header
   * @param signature the {@code webhook-signature} header
   * @param body the body, exactly as received
   * @throws WebhookVerificationException when the request is not authentic or not recent
   */
  public void verify(String id, String timestamp, String signature, String body) {
    Objects.requireNonNull(body, "body");
    require(id, WebhookSignatures.ID_HEADER);
    require(timestamp, WebhookSignatures.TIMESTAMP_HEADER);
    require(signature, WebhookSignatures.SIGNATURE_HEADER);
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException(Reason.INVALID_TIMESTAMP,
          "webhook " + abbreviate(id) + ": webhook-timestamp '" + abbreviate(timestamp) + "' is not a number of seconds");
    }
    long now = clock.instant().getEpochSecond();
    long age;
    try {
      age = Math.subtractExact(now, seconds);
    } catch (ArithmeticException e) {
      age = seconds > now ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (age > tolerance.toSeconds()) {
      throw new WebhookVerificationException(Reason.TIMESTAMP_TOO_OLD,
          "webhook " + abbreviate(id) + ": timestamp " + describe(seconds) + " is more than " + tolerance
              + " old (now " + describe(now) + ")");
    }
    if (age < -tolerance.toSeconds()) {
      throw new WebhookVerificationException(Reason.TIMESTAMP_TOO_NEW,
          "webhook " + abbreviate(id) + ": timestamp " + describe(seconds) + " is more than " + tolerance
              + " in the future (now " + describe(now) + ")");
    }
    List<byte[]> offered = new ArrayList<>();
    for (String candidate : signature.strip().split("\\s+")) {
      int comma = candidate.indexOf(',');
      if (comma < 0 || !candidate.substring(0, comma).equals(WebhookSignatures.VERSION)) {
        continue;
      }
      try {
        offered.add(Base64.getDecoder().decode(candidate.substring(comma + 1)));
      } catch (IllegalArgumentException notBase64) {
        // A malformed entry cannot match; another one may.
      }
    }
    String ts = timestamp.strip();
    boolean match = false;
    for (byte[] key : keys) {
      byte[] expected = WebhookSignatures.hmac(key, id, ts, body);
      for (byte[] o : offered) {
        // No early exit: every comparison is made, each in constant time.
        match |= MessageDigest.isEqual(expected, o);
      }
    }
    if (!match) {
      throw new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE,
          "webhook " + abbreviate(id) + ": no " + WebhookSignatures.VERSION + " signature matches the body under "
              + (keys.size() == 1 ? "the secret" : "any of the " + keys.size() + " secrets"));
    }
  }

  private static void require(String value, String header) {
    if (value == null || value.isBlank()) {
      throw new WebhookVerificationException(Reason.MISSING_HEADER, "the " + header + " header is missing");
    }
  }

  private static String header(Map<String, List<String>> headers, String name, boolean joinAll) {
    List<String> values = new ArrayList<>();
    headers.forEach(
        (k, v) -> {
          if (k != null && k.equalsIgnoreCase(name) && v != null) {
            v.stream().filter(Objects::nonNull).forEach(values::add);
          }
        });
    if (values.isEmpty()) {
      return null;
    }
    return joinAll ? String.join(" ", values) : values.get(0);
  }

  private static String describe(long epochSeconds) {
    try {
      return Instant.ofEpochSecond(epochSeconds).toString();
    } catch (java.time.DateTimeException e) {
      return Long.toString(epochSeconds);
    }
  }

  /** A header value fit to quote in a message: short, on one line. */
  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
  }

  @Override
  public String toString() {
    return "WebhookVerifier[" + keys.size() + (keys.size() == 1 ? " secret" : " secrets") + ", tolerance " + tolerance + "]";
  }
}

package ai.anycap.sinks;

import ai.anycap.client.AnyCapException;
import java.util.Objects;

/**
 * A webhook request failed {@link WebhookVerifier#verify verification}: answer it with 400 or 401
 * and do not act on it. {@link #reason()} says why; the message never contains a secret. Not
 * {@linkplain #retryable() retryable}: the same request fails the same way. Immutable.
 *
 * <pre>{@code
 * try {
 *   verifier.verify(headers, body);
 * } catch (WebhookVerificationException e) {
 *   log.warn("refused webhook: {}", e.getMessage());   // e.reason() == TIMESTAMP_TOO_OLD, ...
 *   return 401;
 * }
 * }</pre>
 */
public final class WebhookVerificationException extends AnyCapException {

  /** Why a webhook request was refused. */
  public enum Reason {
    /** {@code webhook-id}, {@code webhook-timestamp} or {@code webhook-signature} is missing. */
    MISSING_HEADER,
    /** {@code webhook-timestamp} is not a number of seconds. */
    INVALID_TIMESTAMP,
    /** The timestamp is older than the tolerance: perhaps a replay. */
    TIMESTAMP_TOO_OLD,
    /** The timestamp is further in the future than the tolerance. */
    TIMESTAMP_TOO_NEW,
    /** No signature in the header matches the body under any of the secrets. */
    NO_MATCHING_SIGNATURE
  }

  /** Why the request was refused. */
  private final Reason reason;

  /**
   * A refusal.
   *
   * @param reason why the request was refused
   * @param message what was wrong, for people; never a secret
   */
  public WebhookVerificationException(Reason reason, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Why the request was refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}

package ai.anycap.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Per-call options: a caller-chosen trace id (to tie a call to a log line or a job) and a
 * timeout that overrides the client's default for this call.
 */
public final class RequestOptions {

  private static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9_\\-.:]{1,128}");
  private static final RequestOptions NONE = new RequestOptions(null, null);

  private final String traceId;
  private final Duration timeout;

  private RequestOptions(String traceId, Duration timeout) {
    this.traceId = traceId;
    this.timeout = timeout;
  }

  /**
   * No options: a fresh trace id, the client's timeouts.
   *
   * @return the shared empty options
   */
  public static RequestOptions none() {
    return NONE;
  }

  /**
   * Starts a set of options; every option is optional.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The trace id to send as {@code X-Trace-Id}.
   *
   * @return the caller's trace id; empty when the client makes a fresh {@code trc_<32 hex>}
   */
  public Optional<String> traceId() {
    return Optional.ofNullable(traceId);
  }

  /**
   * This call's timeout.
   *
   * @return the timeout; empty when the client's default for the call applies
   */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  @Override
  public String toString() {
    return "RequestOptions{traceId=" + traceId + ", timeout=" + timeout + '}';
  }

  /** Collects options; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private String traceId;
    private Duration timeout;

    private Builder() {}

    /**
     * The trace id to send as {@code X-Trace-Id}, to find the call in AnyCap's logs and yours.
     * Default: a fresh {@code trc_<32 hex>} per call.
     *
     * @param traceId letters, digits and {@code _-.:}, at most 128 characters, as it goes into a
     *     header
     * @return this builder
     * @throws IllegalArgumentException for other characters or length
     */
    public Builder traceId(String traceId) {
      Objects.requireNonNull(traceId, "traceId");
      if (!TRACE_ID.matcher(traceId).matches()) {
        throw new IllegalArgumentException(
            "traceId must be 1-128 characters of letters, digits and _-.: ; got '" + traceId + "'");
      }
      this.traceId = traceId;
      return this;
    }

    /**
     * How long this call may take. Default: the client's timeout for the kind of call.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Builds the options; the builder can be reused.
     *
     * @return new, immutable options
     */
    public RequestOptions build() {
      return new RequestOptions(traceId, timeout);
    }
  }
}

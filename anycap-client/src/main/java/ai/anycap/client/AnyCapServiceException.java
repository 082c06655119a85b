package ai.anycap.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The AnyCap API answered with an error. Carries everything the server said: HTTP status, error
 * code, message, hint, request and trace ids, details and {@code Retry-After}.
 *
 * <p>Subclasses name the meaning of the status ({@link RateLimitException} for 429, and so on);
 * statuses without a meaning of their own (409, say) arrive as this class. {@link #retryable()}
 * combines the status, the error code and the server's {@code retry_same_request} flag, where an
 * explicit {@code false} always wins.
 *
 * @serial exclude
 */
public class AnyCapServiceException extends AnyCapException {

  private final int statusCode;
  private final String errorCode;
  private final String serverMessage;
  private final String hint;
  private final String requestId;
  private final String traceId;
  private final List<Map<String, Object>> details;
  private final Duration retryAfter;
  private final boolean retryable;

  /**
   * Used by the client when it maps a response; public so that tests and simulators can build one.
   *
   * @param error what the server said; the message is built from it
   */
  public AnyCapServiceException(ErrorDetails error) {
    super(Objects.requireNonNull(error, "error").summary());
    this.statusCode = error.statusCode();
    this.errorCode = error.errorCode();
    this.serverMessage = error.message();
    this.hint = error.hint();
    this.requestId = error.requestId();
    this.traceId = error.traceId();
    this.details = error.details();
    this.retryAfter = error.retryAfter();
    this.retryable = error.retryable();
  }

  /**
   * The HTTP status code.
   *
   * @return such as 429 or 503
   */
  public int statusCode() {
    return statusCode;
  }

  /**
   * The machine-readable error code.
   *
   * @return such as {@code RATE_LIMITED} or {@code insufficient_credits}; empty when the server
   *     sent none
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /**
   * The server's own message, without the status and ids that {@link #getMessage()} adds.
   *
   * @return the message; empty when the server sent none
   */
  public Optional<String> serverMessage() {
    return Optional.ofNullable(serverMessage);
  }

  /**
   * The server's hint on what to do about it.
   *
   * @return the hint; empty when the server sent none
   */
  public Optional<String> hint() {
    return Optional.ofNullable(hint);
  }

  /**
   * The server's request id, to quote to AnyCap support.
   *
   * @return the id; empty when the server sent none
   */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /**
   * The {@code X-Trace-Id} this client sent (or the server echoed) for the failed call.
   *
   * @return the trace id; empty only for an exception built without one
   */
  public Optional<String> traceId() {
    return Optional.ofNullable(traceId);
  }

  /**
   * Structured details from the error envelope, such as which parameter was invalid.
   *
   * @return an unmodifiable list of JSON objects as maps; empty when there were none
   */
  public List<Map<String, Object>> details() {
    return details;
  }

  /**
   * How long the server asked the client to wait, from {@code Retry-After} (seconds or an HTTP
   * date, as a delay from when the answer arrived).
   *
   * @return the delay; empty when the header was missing or unreadable
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean retryable() {
    return retryable;
  }

  /**
   * The parsed content of an error response. Build one with {@link #builder(int)}; {@link
   * #retryable()} is derived from status, code and {@code retry_same_request}.
   */
  public static final class ErrorDetails {
    private final int statusCode;
    private final String errorCode;
    private final String message;
    private final String hint;
    private final String requestId;
    private final String traceId;
    private final List<Map<String, Object>> details;
    private final Duration retryAfter;
    private final Boolean retrySameRequest;
    private final String context;

    private ErrorDetails(Builder b) {
      this.statusCode = b.statusCode;
      this.errorCode = b.errorCode;
      this.message = b.message;
      this.hint = b.hint;
      this.requestId = b.requestId;
      this.traceId = b.traceId;
      this.details = List.copyOf(b.details);
      this.retryAfter = b.retryAfter;
      this.retrySameRequest = b.retrySameRequest;
      this.context = b.context;
    }

    /**
     * Starts collecting the parts of an error answer.
     *
     * @param statusCode the answer's HTTP status
     * @return a new builder; every other part is optional
     */
    public static Builder builder(int statusCode) {
      return new Builder(statusCode);
    }

    /**
     * The HTTP status.
     *
     * @return the status code
     */
    public int statusCode() {
      return statusCode;
    }

    /**
     * The machine-readable error code.
     *
     * @return the code, or null when the server sent none
     */
    public String errorCode() {
      return errorCode;
    }

    /**
     * The server's message.
     *
     * @return the message, or null when the server sent none
     */
    public String message() {
      return message;
    }

    /**
     * The server's hint.
     *
     * @return the hint, or null when the server sent none
     */
    public String hint() {
      return hint;
    }

    /**
     * The server's request id.
     *
     * @return the id, or null when the server sent none
     */
    public String requestId() {
      return requestId;
    }

    /**
     * The call's trace id.
     *
     * @return the id, or null when unknown
     */
    public String traceId() {
      return traceId;
    }

    /**
     * Structured details from the error envelope.
     *
     * @return an unmodifiable list; empty when there were none
     */
    public List<Map<String, Object>> details() {
      return details;
    }

    /**
     * The delay from {@code Retry-After}.
     *
     * @return the delay, or null when there was none
     */
    public Duration retryAfter() {
      return retryAfter;
    }

    /**
     * The server's {@code retry_same_request} flag.
     *
     * @return the flag, or null when the server did not say
     */
    public Boolean retrySameRequest() {
      return retrySameRequest;
    }

    /**
     * Whether the same request may be sent again: an explicit {@code retry_same_request: false}
     * always wins, then error codes that forbid or invite a retry, then the status (408, 429 and
     * 5xx are transient).
     *
     * @return true when sending the same request again may succeed
     */
    public boolean retryable() {
      if (Boolean.FALSE.equals(retrySameRequest)) {
        return false;
      }
      String code = errorCode == null ? "" : errorCode.toUpperCase(java.util.Locale.ROOT);
      if (code.endsWith("INVALID_REQUEST")
          || code.endsWith("CONTENT_REJECTED")
          || code.endsWith("INSUFFICIENT_CREDIT")
          || code.endsWith("INSUFFICIENT_CREDITS")
          || code.endsWith("BILLING_UNCERTAIN")
          || code.endsWith("RETRY_REQUIRED")
          || code.endsWith("TIMED_OUT")
          || code.endsWith("EMPTY_RESULT")) {
        return false;
      }
      if (Boolean.TRUE.equals(retrySameRequest)
          || code.endsWith("UPSTREAM_UNAVAILABLE")
          || code.equals("RATE_LIMITED")) {
        return true;
      }
      return statusCode == 408 || statusCode == 429 || statusCode >= 500;
    }

    String summary() {
      StringBuilder s = new StringBuilder();
      s.append("AnyCap API error ").append(statusCode);
      if (context != null) {
        s.append(" on ").append(context);
      }
      if (errorCode != null) {
        s.append(" [").append(errorCode).append(']');
      }
      s.append(": ").append(message == null || message.isBlank() ? "(no message)" : message);
      if (hint != null && !hint.isBlank()) {
        s.append(" (hint: ").append(hint).append(')');
      }
      if (requestId != null) {
        s.append(" request_id=").append(requestId);
      }
      if (traceId != null) {
        s.append(" trace_id=").append(traceId);
      }
      return s.toString();
    }

    /** Collects the parts of an error response; every part but the status is optional. */
    public static final class Builder {
      private final int statusCode;
      private String errorCode;
      private String message;
      private String hint;
      private String requestId;
      private String traceId;
      private List<Map<String, Object>> details = List.of();
      private Duration retryAfter;
      private Boolean retrySameRequest;
      private String context;

      private Builder(int statusCode) {
        this.statusCode = statusCode;
      }

      /**
       * The machine-readable error code. Default: none.
       *
       * @param errorCode such as {@code RATE_LIMITED}, or null
       * @return this builder
       */
      public Builder errorCode(String errorCode) {
        this.errorCode = errorCode;
        return this;
      }

      /**
       * The server's message. Default: none, shown as "(no message)".
       *
       * @param message the message, or null
       * @return this builder
       */
      public Builder message(String message) {
        this.message = message;
        return this;
      }

      /**
       * The server's hint. Default: none.
       *
       * @param hint the hint, or null
       * @return this builder
       */
      public Builder hint(String hint) {
        this.hint = hint;
        return this;
      }

      /**
       * The server's request id. Default: none.
       *
       * @param requestId the id, or null
       * @return this builder
       */
      public Builder requestId(String requestId) {
        this.requestId = requestId;
        return this;
      }

      /**
       * The call's trace id. Default: none.
       *
       * @param traceId the id, or null
       * @return this builder
       */
      public Builder traceId(String traceId) {
        this.traceId = traceId;
        return this;
      }

      /**
       * Structured details from the error envelope. Default: none.
       *
       * @param details JSON objects as maps; copied on {@link #build()}
       * @return this builder
       */
      public Builder details(List<Map<String, Object>> details) {
        this.details = Objects.requireNonNull(details, "details");
        return this;
      }

      /**
       * The delay from {@code Retry-After}. Default: none.
       *
       * @param retryAfter the delay, or null
       * @return this builder
       */
      public Builder retryAfter(Duration retryAfter) {
        this.retryAfter = retryAfter;
        return this;
      }

      /**
       * The server's {@code retry_same_request} flag. Default: none (the status and code decide).
       *
       * @param retrySameRequest the flag, or null when the server did not say
       * @return this builder
       */
      public Builder retrySameRequest(Boolean retrySameRequest) {
        this.retrySameRequest = retrySameRequest;
        return this;
      }

      /**
       * What was being done; shown in the message. Default: none.
       *
       * @param context such as {@code POST /v1/image/generate}, or null
       * @return this builder
       */
      public Builder context(String context) {
        this.context = context;
        return this;
      }

      /**
       * Collects the parts set so far.
       *
       * @return the details
       */
      public ErrorDetails build() {
        return new ErrorDetails(this);
      }
    }
  }
}

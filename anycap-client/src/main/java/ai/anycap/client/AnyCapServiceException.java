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

  /** Used by the client when it maps a response; public so that tests and simulators can build one. */
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

  /** The HTTP status code. */
  public int statusCode() {
    return statusCode;
  }

  /** The machine-readable error code, such as {@code RATE_LIMITED} or {@code insufficient_credits}. */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** The server's own message, without the status and ids that {@link #getMessage()} adds. */
  public Optional<String> serverMessage() {
    return Optional.ofNullable(serverMessage);
  }

  /** The server's hint on what to do about it. */
  public Optional<String> hint() {
    return Optional.ofNullable(hint);
  }

  /** The server's request id, to quote to AnyCap support. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** The {@code X-Trace-Id} this client sent (or the server echoed) for the failed call. */
  public Optional<String> traceId() {
    return Optional.ofNullable(traceId);
  }

  /** Structured details from the error envelope, empty when there were none. */
  public List<Map<String, Object>> details() {
    return details;
  }

  /** How long the server asked the client to wait, from {@code Retry-After}. */
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

    public static Builder builder(int statusCode) {
      return new Builder(statusCode);
    }

    public int statusCode() {
      return statusCode;
    }

    public String errorCode() {
      return errorCode;
    }

    public String message() {
      return message;
    }

    public String hint() {
      return hint;
    }

    public String requestId() {
      return requestId;
    }

    public String traceId() {
      return traceId;
    }

    public List<Map<String, Object>> details() {
      return details;
    }

    public Duration retryAfter() {
      return retryAfter;
    }

    /** The server's {@code retry_same_request} flag, or null when it did not say. */
    public Boolean retrySameRequest() {
      return retrySameRequest;
    }

    /**
     * Whether the same request may be sent again: an explicit {@code retry_same_request: false}
     * always wins, then error codes that forbid or invite a retry, then the status (408, 429 and
     * 5xx are transient).
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

      public Builder errorCode(String errorCode) {
        this.errorCode = errorCode;
        return this;
      }

      public Builder message(String message) {
        this.message = message;
        return this;
      }

      public Builder hint(String hint) {
        this.hint = hint;
        return this;
      }

      public Builder requestId(String requestId) {
        this.requestId = requestId;
        return this;
      }

      public Builder traceId(String traceId) {
        this.traceId = traceId;
        return this;
      }

      public Builder details(List<Map<String, Object>> details) {
        this.details = Objects.requireNonNull(details, "details");
        return this;
      }

      public Builder retryAfter(Duration retryAfter) {
        this.retryAfter = retryAfter;
        return this;
      }

      public Builder retrySameRequest(Boolean retrySameRequest) {
        this.retrySameRequest = retrySameRequest;
        return this;
      }

      /** What was being done, such as {@code POST /v1/image/generate}; shown in the message. */
      public Builder context(String context) {
        this.context = context;
        return this;
      }

      public ErrorDetails build() {
        return new ErrorDetails(this);
      }
    }
  }
}

package ai.anycap.client.internal;

import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.AnyCapServiceException.ErrorDetails;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.InsufficientCreditException;
import ai.anycap.client.InvalidRequestException;
import ai.anycap.client.NotFoundException;
import ai.anycap.client.PermissionDeniedException;
import ai.anycap.client.RateLimitException;
import ai.anycap.client.ServerException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Turns an error response into the exception for its meaning. Reads both envelopes the API uses:
 * structured ({@code {"error":{"code":..},"diagnostics":{..}}}) and flat ({@code
 * {"error":"code","message":..}}); anything else (HTML from a proxy, an empty body) still gives a
 * message with the status and a short excerpt.
 */
public final class ErrorResponses {

  private static final int EXCERPT = 200;

  private ErrorResponses() {}

  public static AnyCapServiceException toException(
      int status, byte[] body, Duration retryAfter, String context, String sentTraceId) {
    return toException(status, body, retryAfter, context, sentTraceId, null);
  }

  /**
   * As {@link #toException(int, byte[], Duration, String, String)}, with the {@code X-Request-Id}
   * response header as the request id when the body names none.
   */
  public static AnyCapServiceException toException(
      int status, byte[] body, Duration retryAfter, String context, String sentTraceId, String headerRequestId) {
    return forStatus(parse(status, body, retryAfter, context, sentTraceId, headerRequestId));
  }

  public static AnyCapServiceException forStatus(ErrorDetails d) {
    int status = d.statusCode();
    if (status >= 200 && status <= 299) {
      status = statusForCode(d.errorCode());
    }
    if (status == 400 || status == 422) {
      return new InvalidRequestException(d);
    }
    if (status == 401) {
      return new AuthenticationException(d);
    }
    if (status == 402) {
      return new InsufficientCreditException(d);
    }
    if (status == 403) {
      return new PermissionDeniedException(d);
    }
    if (status == 404) {
      return new NotFoundException(d);
    }
    if (status == 429) {
      return new RateLimitException(d);
    }
    if (status >= 500 && status <= 599) {
      return new ServerException(d);
    }
    return new AnyCapServiceException(d);
  }

  /**
   * The status whose meaning an error code carries, for an error that came with a 2xx status
   * ({@code {"status":"error"}}); 0 when the code says nothing known. The exception keeps the
   * real status.
   */
  static int statusForCode(String errorCode) {
    String code = errorCode == null ? "" : errorCode.toUpperCase(java.util.Locale.ROOT);
    if (code.endsWith("INVALID_REQUEST") || code.endsWith("CONTENT_REJECTED") || code.equals("VALIDATION_ERROR")) {
      return 400;
    }
    if (code.contains("API_KEY") || code.equals("UNAUTHORIZED") || code.equals("UNAUTHENTICATED")) {
      return 401;
    }
    if (code.endsWith("INSUFFICIENT_CREDIT") || code.endsWith("INSUFFICIENT_CREDITS")) {
      return 402;
    }
    if (code.equals("FORBIDDEN") || code.equals("PERMISSION_DENIED")) {
      return 403;
    }
    if (code.endsWith("NOT_FOUND")) {
      return 404;
    }
    if (code.equals("RATE_LIMITED")) {
      return 429;
    }
    if (code.endsWith("UPSTREAM_UNAVAILABLE") || code.endsWith("INTERNAL_ERROR")) {
      return 500;
    }
    return 0;
  }

  public static ErrorDetails parse(
      int status, byte[] body, Duration retryAfter, String context, String sentTraceId) {
    return parse(status, body, retryAfter, context, sentTraceId, null);
  }

  private static ErrorDetails parse(
      int status, byte[] body, Duration retryAfter, String context, String sentTraceId, String headerRequestId) {
    ErrorDetails.Builder b =
        ErrorDetails.builder(status)
            .retryAfter(retryAfter)
            .context(context)
            .traceId(sentTraceId)
            .requestId(headerRequestId);
    JsonNode root = readJson(body);
    if (root == null || !root.isObject()) {
      b.message(describeNonJson(status, body));
      return b.build();
    }
    JsonNode error = root.get("error");
    JsonNode diagnostics = root.get("diagnostics");
    if (error != null && error.isObject()) {
      b.errorCode(Json.text(error, "code"))
          .message(Json.text(error, "message"))
          .hint(Json.text(error, "hint"))
          .details(Json.toListOfMaps(error.get("details")))
          .retrySameRequest(Json.bool(error, "retry_same_request"));
    } else {
      b.errorCode(error != null && error.isTextual() ? error.asText() : Json.text(root, "code"))
          .message(Json.text(root, "message"))
          .hint(Json.text(root, "hint"))
          .details(Json.toListOfMaps(root.get("details")))
          .retrySameRequest(Json.bool(root, "retry_same_request"));
    }
    String requestId = firstNonNull(Json.text(diagnostics, "request_id"), Json.text(root, "request_id"));
    b.requestId(firstNonNull(requestId, headerRequestId));
    String serverTrace = Json.text(diagnostics, "trace_id");
    if (serverTrace != null) {
      b.traceId(serverTrace);
    }
    ErrorDetails parsed = b.build();
    if (parsed.message() == null && parsed.errorCode() == null) {
      b.message(describeNonJson(status, body));
    }
    return b.build();
  }

  private static JsonNode readJson(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String describeNonJson(int status, byte[] body) {
    String reason = reasonPhrase(status);
    if (body == null || body.length == 0) {
      return reason + " (empty body)";
    }
    String text = new String(body, 0, Math.min(body.length, 4 * EXCERPT), StandardCharsets.UTF_8);
    String plain = text.replaceAll("(?s)<script.*?</script>", " ")
        .replaceAll("<[^>]*>", " ")
        .replaceAll("\\s+", " ")
        .strip();
    if (plain.length() > EXCERPT) {
      plain = plain.substring(0, EXCERPT) + "...";
    }
    return reason + " (body is not an AnyCap error: \"" + plain + "\")";
  }

  private static String reasonPhrase(int status) {
    switch (status) {
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 402: return "Payment Required";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 408: return "Request Timeout";
      case 409: return "Conflict";
      case 422: return "Unprocessable Entity";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      default: return "HTTP " + status;
    }
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}

package ai.anycap.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How an HTTP exchange ended, as an {@link ExchangeListener} hears of it.
 *
 * @param status the HTTP status of the answer, or 0 when none came (a refused connection, a
 *     timeout, a reset)
 * @param errorCode null on success; otherwise the server's error code (such as {@code
 *     RATE_LIMITED}), {@code HTTP_<status>} when it sent none, {@code TRANSPORT} when no answer
 *     came, or {@code DOWNLOAD_<reason>} / {@code UPLOAD_<reason>} ({@link DownloadException.Reason},
 *     {@link UploadException.Reason}); the codes a failed pipeline job reports
 * @param requestId the server's request id, or null when it sent none
 * @param duration from just before the request was sent until the outcome was known
 * @param failure what the caller's future fails with, or null on success
 */
public record ExchangeResult(int status, String errorCode, String requestId, Duration duration, Throwable failure) {

  /**
   * A result.
   *
   * @param status the HTTP status, or 0
   * @param errorCode the error code, or null on success
   * @param requestId the request id, or null
   * @param duration how long it took, not null
   * @param failure the failure, or null on success
   */
  public ExchangeResult {
    Objects.requireNonNull(duration, "duration");
  }

  /** {@return whether the exchange succeeded: an answer came, and the caller's future completes normally} */
  public boolean succeeded() {
    return failure == null;
  }
}

package ai.anycap.s3.internal;

import ai.anycap.pipeline.SinkException;
import java.nio.file.FileSystemException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Turns a failed PutObject into a {@link SinkException} naming the bucket and key. Retryable: 5xx,
 * throttling, S3's few retryable 4xx, and client-side (network) failures. Not retryable: other 4xx,
 * such as NoSuchBucket, AccessDenied or BadDigest (the bytes do not match their checksum: sending
 * them again cannot help), and a missing or unreadable file. Messages are built from S3's error code, message, status and request
 * id, never from request headers, so they carry no credentials or signatures.
 */
public final class PutFailures {

  /** 4xx codes that mean "try again" (timeouts, throttling, a concurrent conflicting write). */
  private static final Set<String> RETRYABLE_CODES =
      Set.of("RequestTimeout", "SlowDown", "Throttling", "ThrottlingException", "TooManyRequests",
          "RequestLimitExceeded", "OperationAborted", "InternalError", "ServiceUnavailable");

  private PutFailures() {}

  public static SinkException toSinkException(String sink, String bucket, String key, Throwable error) {
    Throwable e = unwrap(error);
    String where = "cannot put s3://" + bucket + "/" + key + ": ";
    if (e instanceof SinkException s) {
      return s;
    }
    if (e instanceof AwsServiceException a) {
      AwsErrorDetails d = a.awsErrorDetails();
      String code = d == null ? null : d.errorCode();
      String message = d == null ? null : d.errorMessage();
      boolean retryable =
          a.statusCode() >= 500 || a.statusCode() == 429 || a.isThrottlingException()
              || (code != null && RETRYABLE_CODES.contains(code));
      return new SinkException(
          sink,
          where + (code == null ? "HTTP " + a.statusCode() : code + " (HTTP " + a.statusCode() + ")")
              + (message == null || message.isBlank() ? "" : ": " + message)
              + hint(code)
              + (a.requestId() == null ? "" : ", request id " + a.requestId()),
          retryable,
          e);
    }
    if (e instanceof SdkServiceException s) {
      boolean retryable = s.statusCode() >= 500 || s.statusCode() == 429 || s.isThrottlingException();
      return new SinkException(sink, where + "HTTP " + s.statusCode(), retryable, e);
    }
    if (e instanceof SdkClientException) {
      // The file itself missing or unreadable is not a network failure: retrying cannot help.
      return new SinkException(sink, where + describe(e), !causedBy(e, FileSystemException.class), e);
    }
    return new SinkException(sink, where + describe(e), false, e);
  }

  private static String hint(String code) {
    boolean checksum = code != null && Set.of("BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest").contains(code);
    return checksum ? " (the file's bytes do not match the SHA-256 the pipeline verified)" : "";
  }

  private static String describe(Throwable e) {
    StringBuilder out = new StringBuilder(e.getClass().getSimpleName());
    if (e.getMessage() != null) {
      out.append(": ").append(e.getMessage());
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e && root.getMessage() != null && (e.getMessage() == null || !e.getMessage().contains(root.getMessage()))) {
      out.append(" (").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage()).append(')');
    }
    return out.toString();
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}

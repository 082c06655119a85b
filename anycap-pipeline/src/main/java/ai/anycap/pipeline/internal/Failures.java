package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapException;
import ai.anycap.client.AnyCapIoException;
import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.DownloadException;
import ai.anycap.client.InsufficientCreditException;
import ai.anycap.client.PermissionDeniedException;
import ai.anycap.pipeline.JobResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a failure means to the pipeline, in one place: the error code a failed job reports, whether
 * trying again may work, how long the server asked to wait, and whether it stops the whole run
 * (a refused key, 401; no access, 403; no credit, 402: every later job would fail the same way).
 */
final class Failures {

  private Failures() {}

  /** The failure itself, out of the {@link CompletionException}s that futures wrap it in. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The code a failed job reports: the server's, or one of the SDK's. */
  static String errorCode(Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof AnyCapServiceException s) {
      return s.errorCode().orElse("HTTP_" + s.statusCode());
    }
    if (e instanceof AnyCapIoException) {
      return "TRANSPORT";
    }
    if (e instanceof DownloadException d) {
      return "DOWNLOAD_" + d.reason();
    }
    if (e instanceof JobTimeoutException) {
      return "JOB_TIMEOUT";
    }
    if (e instanceof EmptyResultException) {
      return "EMPTY_RESULT";
    }
    if (e instanceof OutputRefusedException || e instanceof IOException || e instanceof UncheckedIOException) {
      return "OUTPUT_FAILED";
    }
    return "INTERNAL";
  }

  /** Whether a request that failed this way may succeed when sent again (429, 5xx, transport). */
  static boolean retryable(Throwable failure) {
    return unwrap(failure) instanceof AnyCapException a && a.retryable();
  }

  /**
   * Whether a delivery that failed this way may succeed when tried again: unless a sink (or the
   * client) says it may not, a sink's failure is worth another try.
   */
  static boolean retryableDelivery(Throwable failure) {
    return !(unwrap(failure) instanceof AnyCapException a && !a.retryable());
  }

  /** The server's {@code Retry-After}, or null. */
  static Duration retryAfter(Throwable failure) {
    Throwable e = failure == null ? null : unwrap(failure);
    return e instanceof AnyCapServiceException s ? s.retryAfter().orElse(null) : null;
  }

  /** Why every later job would fail as this one did, or null when this failure is the job's own. */
  static String haltReason(Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof AuthenticationException) {
      return "the API key was refused (401): " + e.getMessage();
    }
    if (e instanceof PermissionDeniedException) {
      return "the API key has no access (403): " + e.getMessage();
    }
    if (e instanceof InsufficientCreditException) {
      return "the account is out of credit (402): " + e.getMessage();
    }
    return null;
  }

  /** The result of a job that ended with {@code failure} and kept no image. */
  static JobResult.Failed failed(JobPlan plan, Throwable failure, int attempts, BigDecimal credits, Duration took) {
    Throwable e = unwrap(failure);
    return new JobResult.Failed(plan.job(), errorCode(e), String.valueOf(e.getMessage()), credits, attempts, took,
        List.of(), List.of());
  }

  /** The job ran out of its time. */
  static final class JobTimeoutException extends AnyCapException {
    JobTimeoutException(String message) {
      super(message);
    }
  }

  /** The server answered success with no image. */
  static final class EmptyResultException extends AnyCapException {
    EmptyResultException(String message) {
      super(message);
    }
  }

  /** The output path was refused just before writing (a link out of the root, a directory). */
  static final class OutputRefusedException extends AnyCapException {
    OutputRefusedException(String message) {
      super(message);
    }
  }
}

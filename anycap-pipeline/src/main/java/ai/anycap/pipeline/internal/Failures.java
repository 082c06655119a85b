package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapException;
import ai.anycap.client.AnyCapIoException;
import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.AuthenticationException;
import ai.anycap.client.DownloadException;
import ai.anycap.client.InsufficientCreditException;
import ai.anycap.client.PermissionDeniedException;
import ai.anycap.client.UploadException;
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
 * trying again may work, whether the attempt may have been billed anyway, how long the server
 * asked to wait, and whether it stops the whole run (a refused key, 401; no access, 403; no
 * credit, 402: every later job would fail the same way; and a file that cannot be written under
 * the output root: every later image would be paid for and lost the same way).
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
    if (e instanceof UploadException u) {
      return "UPLOAD_" + u.reason();
    }
    if (e instanceof JobTimeoutException) {
      return "JOB_TIMEOUT";
    }
    if (e instanceof BillingUncertainException) {
      return "BILLING_UNCERTAIN";
    }
    if (e instanceof BudgetExhaustedException) {
      return "BUDGET_EXHAUSTED";
    }
    if (e instanceof ai.anycap.pipeline.JournalException) {
      return "JOURNAL_FAILED";
    }
    if (e instanceof EmptyResultException) {
      return "EMPTY_RESULT";
    }
    if (e instanceof OutputRefusedException || e instanceof IOException || e instanceof UncheckedIOException) {
      return "OUTPUT_FAILED";
    }
    return "INTERNAL";
  }

  /**
   * Whether a request that failed this way may succeed when sent again (429, 5xx, transport), and
   * may be: never when the server said billing is uncertain or the same request must not be sent.
   */
  static boolean retryable(Throwable failure) {
    Throwable e = unwrap(failure);
    return e instanceof AnyCapException a && a.retryable() && !forbidsResubmission(e);
  }

  /**
   * Whether a generate attempt that failed this way may have been generated, and billed, anyway:
   * the request may have reached the server and no answer came back (a timeout, a reset while
   * waiting), or the server said so ({@code *_BILLING_UNCERTAIN}, {@code *_RETRY_REQUIRED}).
   */
  static boolean possiblyBilled(Throwable failure) {
    Throwable e = unwrap(failure);
    return (e instanceof AnyCapIoException io && io.mayHaveReachedServer()) || forbidsResubmission(e);
  }

  /** The codes after which the same request must never be sent again automatically. */
  private static boolean forbidsResubmission(Throwable e) {
    if (!(e instanceof AnyCapServiceException s)) {
      return false;
    }
    String code = s.errorCode().orElse("");
    return code.endsWith("BILLING_UNCERTAIN") || code.endsWith("RETRY_REQUIRED");
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
    String local = localWriteFailure(e);
    if (local != null) {
      return "a file cannot be written (" + local + "); every later image would be paid for and lost the same way";
    }
    return null;
  }

  /**
   * What went wrong when a local file (an image, its temporary file, the journal) could not be
   * written, or null when the failure is not that: the disk is full, read-only or not ours, which
   * no retry and no other job will get past.
   */
  private static String localWriteFailure(Throwable e) {
    if (e instanceof DownloadException d && d.reason() == DownloadException.Reason.LOCAL_FILE) {
      return d.getMessage();
    }
    if (e instanceof ai.anycap.pipeline.JournalException || e instanceof IOException
        || e instanceof UncheckedIOException) {
      return e.getMessage();
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

  /** An attempt may have been billed, and the policy (or the server) forbids sending it again. */
  static final class BillingUncertainException extends AnyCapException {
    BillingUncertainException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An attempt may have been billed, and the budget has no room to pay for another one. */
  static final class BudgetExhaustedException extends AnyCapException {
    BudgetExhaustedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The run stopped before the job's first request was sent. */
  static final class NotStartedException extends AnyCapException {
    NotStartedException() {
      super("not started: the run is stopping");
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

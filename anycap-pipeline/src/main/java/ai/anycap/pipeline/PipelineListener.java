package ai.anycap.pipeline;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Hears what a pipeline does, for progress bars, notifications and metrics. Every method has an
 * empty default, so implement only what you need.
 *
 * <p>Calls arrive on one pipeline thread, in order, never on an HTTP thread: a slow listener
 * delays other listeners' events but never the requests. An exception thrown by a listener is
 * logged and otherwise ignored.
 */
public interface PipelineListener {

  /**
   * A batch (or a queue worker) is starting.
   *
   * @param totalJobs the entries of the batch, known when the source was checked first; empty for
   *     a queue worker
   */
  default void onBatchStarted(OptionalLong totalJobs) {}

  /**
   * Something the pipeline could not check before a batch, which does not stop it: a model's
   * schema it could not fetch (those jobs' parameters go unchecked until the server sees them).
   * Also logged. Comes before {@link #onBatchStarted}.
   *
   * @param message what could not be checked, and why
   */
  default void onWarning(String message) {}

  /**
   * A job is about to send its first request.
   *
   * @param job the job
   */
  default void onJobStarted(ImageJob job) {}

  /**
   * A request of the job failed and will be tried again.
   *
   * @param job the job
   * @param attempt the attempt that failed, from 1
   * @param delay how long until the next attempt
   * @param cause the failure
   */
  default void onRetryScheduled(ImageJob job, int attempt, Duration delay, Throwable cause) {}

  /**
   * The pipeline changed the pace of its generate requests: adaptive control slows it on a 429
   * (and holds every request for the server's {@code Retry-After}, given as {@link
   * RequestPace#pause()}), and speeds it up again as requests succeed. A 429 is announced at once,
   * with its pause (the pace so far, paused); the pace it leads to is announced when the pause
   * ends, once the other answers of that round are in (unless it moved too little to tell).
   *
   * @param pace the pace from now on
   */
  default void onPaceChanged(RequestPace pace) {}

  /**
   * The server answered a job's generate request: the credits it charged (confirmed) and how long
   * the job waited for the answer, its pacing and retries included. Its images are downloaded
   * next.
   *
   * @param job the job
   * @param answer the image URLs, the model, the credits charged and the request id
   * @param usd what the images cost in dollars by the pipeline's price table (0 for a model it
   *     cannot price)
   * @param latency from the job's first generate attempt to the answer
   */
  default void onGenerated(ImageJob job, GeneratedImages answer, BigDecimal usd, Duration latency) {}

  /**
   * A generate attempt of the job may have been generated and billed without an answer (it timed
   * out, or the connection broke after the request was sent): counted apart from confirmed credits,
   * as {@link BatchReport#possiblyBilled()} counts it.
   *
   * @param job the job
   * @param model the model the attempt asked for
   * @param credits what it would have cost, at the model's credits per image
   * @param usd what it would have cost in dollars by the price table
   */
  default void onPossiblyBilled(ImageJob job, String model, BigDecimal credits, BigDecimal usd) {}

  /**
   * A job's images are downloaded and in place (before delivery to the sinks).
   *
   * @param job the job
   * @param images how many images were downloaded
   * @param latency from the first download's start to the last one's end, retries included
   */
  default void onDownloaded(ImageJob job, int images, Duration latency) {}

  /**
   * A job ended: succeeded, failed, or skipped.
   *
   * @param result how it ended
   */
  default void onJobFinished(JobResult result) {}

  /**
   * The batch is over: every job it started has ended.
   *
   * @param report what the batch did
   */
  default void onBatchFinished(BatchReport report) {}
}

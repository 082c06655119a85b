package ai.anycap.pipeline;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.Model;
import ai.anycap.client.PriceTable;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.internal.Dispatcher;
import ai.anycap.pipeline.internal.PipelineCore;
import ai.anycap.pipeline.internal.PipelineSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Generates a batch of images, from 5 to 100,000, reliably and within bounds.
 *
 * <pre>{@code
 * try (ImagePipeline pipeline = ImagePipeline.builder()
 *     .client(AnyCapClient.fromEnv())
 *     .templates(PromptTemplates.fromJson(Path.of("templates.json")))
 *     .concurrency(16)
 *     .outputRoot(Path.of("output"))
 *     .journal(Path.of("output/manifest.jsonl"))
 *     .budget(Budget.credits(10_000))
 *     .build()) {
 *   BatchReport report = pipeline.run(CsvJobSource.builder()
 *       .file(Path.of("products.csv")).template("product_hero").outputKey("{sku}.png").build());
 * }
 * }</pre>
 *
 * <p>What it guarantees:
 *
 * <ul>
 *   <li>The whole source is checked before the first paid request; a malformed entry fails the
 *       batch naming its file, line and field, and nothing is spent ({@link
 *       ImagePipelineBuilder#skipInvalidRows()} skips such entries instead). So do a parameter
 *       its model's schema refuses, an unknown model, a prompt over the length limit, an output
 *       path through a link that leaves the output root; and, for the batch as a whole, an
 *       output root that cannot be written, a budget no job fits in, an estimate over the
 *       account's credit balance. Every problem is reported at once ({@link #check}).
 *   <li>Never more than {@link ImagePipelineBuilder#concurrency(int)} paid calls in flight (and as many jobs
 *       downloading and delivering), with non-blocking I/O.
 *   <li>On a 429, every job waits out the {@code Retry-After}, and generate requests then go at a
 *       pace at the rate the server accepted, learned as the batch runs ({@link
 *       ImagePipelineBuilder#adaptiveRate(boolean)}, {@link #pace()}).
 *   <li>Only retryable failures are retried (429, 5xx, transport), with exponential backoff,
 *       jitter and {@code Retry-After} honoured up to a cap; a failed download is retried as a
 *       download, never by generating again. 401, 402 and 403 stop the batch at once: the rest
 *       are reported as not started.
 *   <li>Files appear atomically under the output root, and nowhere else; a file that cannot be
 *       written (a full disk) stops the run before anything more is spent.
 *   <li>With a journal, a rerun skips the jobs that succeeded for the same request (their images
 *       still there), delivers what was kept but not delivered, and downloads what the server had
 *       answered when a run stopped, instead of paying for it again.
 *   <li>Identical requests in a run are generated once and the image copied.
 *   <li>Spending stays within the {@link Budget}, counting every attempt that may have been billed
 *       without an answer as spent ({@link BatchReport#possiblyBilled()}, {@link Retry#uncertain()}).
 * </ul>
 *
 * <p>Each setter of {@link ImagePipelineBuilder} says its default. Thread-safe; one pipeline can run several
 * batches, and they share its concurrency limit and budget. {@link #close()} stops taking jobs and
 * waits for running ones. The path one job takes through the pipeline: {@code docs/architecture.md}.
 */
public final class ImagePipeline implements AutoCloseable {

  private final PipelineCore core;
  private final Dispatcher dispatcher;

  private ImagePipeline(PipelineSettings settings) {
    core = new PipelineCore(settings);
    dispatcher = new Dispatcher(core);
  }

  /**
   * {@return a builder with every setting at its default} Only {@link ImagePipelineBuilder#client}
   * must be set.
   */
  public static ImagePipelineBuilder builder() {
    return new ImagePipelineBuilder();
  }

  /** The pipeline {@code settings} describe; for {@link ImagePipelineBuilder#build()}. */
  static ImagePipeline of(PipelineSettings settings) {
    return new ImagePipeline(settings);
  }

  /**
   * Runs a batch and waits for it.
   *
   * @param source the jobs
   * @return how the batch went
   * @throws BatchValidationException when the source has malformed entries (nothing was spent)
   * @throws CancellationException when the waiting thread is interrupted (the batch is cancelled)
   */
  public BatchReport run(JobSource source) {
    return Dispatcher.await(runAsync(source));
  }

  /**
   * Runs a batch in the background. Cancelling the future stops the batch: no further job starts,
   * running jobs finish, and every entry not started is counted as skipped ({@link
   * SkipReason#CANCELLED}) in the report its listeners get.
   *
   * @param source the jobs
   * @return the batch's report, once its last job has ended; failed with {@link
   *     BatchValidationException} when the source has malformed entries (nothing was spent)
   * @throws IllegalStateException when the pipeline is closed
   */
  public CompletableFuture<BatchReport> runAsync(JobSource source) {
    Objects.requireNonNull(source, "source");
    return dispatcher.runBatch(source);
  }

  /**
   * Works jobs from a queue until stopped: takes only as many as the concurrency limit has room
   * for, runs each as a batch job would run (the journal's word included), and settles each with
   * the queue once its result, sinks and journal line are recorded. Cancel the future, or close the
   * pipeline, to stop: running jobs finish and are settled. A 401, 402 or 403, or a spent budget,
   * stops the worker too; jobs it had not started go back to the queue for other workers.
   *
   * @param consumer this worker's end of the queue
   * @return the worker's report, once it has stopped and its last job is settled
   * @throws IllegalStateException when the pipeline is closed
   */
  public CompletableFuture<BatchReport> work(QueueConsumer consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return dispatcher.work(consumer);
  }

  /**
   * Runs one job, outside any batch, under the same concurrency limit, retries, budget and
   * journal: a job the journal records as succeeded is skipped ({@link SkipReason#ALREADY_DONE}),
   * and one whose image the journal kept but could not deliver is delivered, not generated again.
   *
   * @param job the job
   * @return its result; failed with {@link InvalidJobException} when the job is malformed, or
   *     {@link IllegalStateException} when the pipeline is closed
   */
  public CompletableFuture<JobResult> submit(ImageJob job) {
    Objects.requireNonNull(job, "job");
    return dispatcher.submit(job);
  }

  /**
   * Checks a batch as {@link #run} would before its first request, and runs nothing: every entry
   * (see {@link ImagePipelineBuilder#skipInvalidRows()}), each job's parameters against its
   * model's schema ({@link ImagePipelineBuilder#schemaCheck}), prompt lengths ({@link
   * ImagePipelineBuilder#maxPromptLength}), output paths on disk, the output root, the budget,
   * and the credit balance ({@link ImagePipelineBuilder#balanceCheck}). The schema and status
   * calls it may make are free; nothing paid for is sent, and nothing is written. Runs on the
   * calling thread.
   *
   * @param source the jobs
   * @return what was found: the entries, those that would be skipped, what could not be checked
   * @throws BatchValidationException when the batch would be refused, listing every problem
   * @throws IllegalStateException when the pipeline is closed
   */
  public BatchCheck check(JobSource source) {
    Objects.requireNonNull(source, "source");
    return dispatcher.check(source);
  }

  /**
   * What running {@code source} would cost, without sending a request: jobs per model, credits
   * and dollars. Jobs the journal says are done are counted apart; with {@link
   * ImagePipelineBuilder#deduplicate(boolean) de-duplication} on, a request an earlier entry also makes costs
   * nothing ({@link BatchEstimate#duplicates()} counts them).
   *
   * @param source the jobs
   * @return the estimate
   * @throws InvalidJobException when the source cannot be opened at all
   */
  public BatchEstimate estimate(JobSource source) {
    Objects.requireNonNull(source, "source");
    return dispatcher.estimate(source);
  }

  /** {@return the most jobs allowed to make their paid calls at once, as configured} */
  public int concurrency() {
    return core.permits().limit();
  }

  /**
   * {@return the jobs holding a call's place now (uploading references, waiting for the pace,
   * generating, or answered and waiting for a place to download in): at most {@link
   * #concurrency()}; jobs downloading and delivering are not counted}
   */
  public int inFlight() {
    return core.permits().inUse();
  }

  /**
   * {@return the pace of generate requests now (learned from 429s, or the fixed rate limit) and any
   * pause}
   */
  public RequestPace pace() {
    return core.pacer().pace();
  }

  /** {@return the most jobs that have held a call's place at once over the pipeline's life (see {@link #inFlight()})} */
  public int peakConcurrency() {
    return core.permits().peak();
  }

  /**
   * Stops taking jobs, waits for running ones to end, and releases the pipeline's threads and
   * journal. Batches still running end as cancelled, each entry they had not started counted as
   * skipped.
   */
  @Override
  public void close() {
    dispatcher.close();
  }
}

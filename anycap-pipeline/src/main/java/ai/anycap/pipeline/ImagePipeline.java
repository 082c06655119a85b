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
 *       Builder#skipInvalidRows()} skips such entries instead).
 *   <li>Never more than {@link Builder#concurrency(int)} jobs in flight, with non-blocking I/O.
 *   <li>On a 429, every job waits out the {@code Retry-After}, and generate requests then go at a
 *       pace just under the rate the server accepted, learned as the batch runs ({@link
 *       Builder#adaptiveRate(boolean)}, {@link #pace()}).
 *   <li>Only retryable failures are retried (429, 5xx, transport), with exponential backoff,
 *       jitter and {@code Retry-After} honoured up to a cap; a failed download is retried as a
 *       download, never by generating again. 401, 402 and 403 stop the batch at once: the rest
 *       are reported as not started.
 *   <li>Files appear atomically under the output root, and nowhere else.
 *   <li>With a journal, a rerun skips the jobs that already succeeded, and delivers (without
 *       generating again) the images an earlier run kept but could not deliver to every sink.
 *   <li>Identical requests in a run are generated once and the image copied.
 *   <li>Spending stays within the {@link Budget}.
 * </ul>
 *
 * <p>Each setter of {@link Builder} says its default. Thread-safe; one pipeline can run several
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

  /** {@return a builder with every setting at its default} Only {@link Builder#client} must be set. */
  public static Builder builder() {
    return new Builder();
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
   * What running {@code source} would cost, without sending a request: jobs per model, credits
   * and dollars. Jobs the journal says are done are counted apart; with {@link
   * Builder#deduplicate(boolean) de-duplication} on, a request an earlier entry also makes costs
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

  /** {@return the most jobs allowed in flight at once, as configured} */
  public int concurrency() {
    return core.permits().limit();
  }

  /** {@return the jobs holding a permit now (generating, downloading or delivering): at most {@link #concurrency()}} */
  public int inFlight() {
    return core.permits().inUse();
  }

  /** {@return the pace of generate requests now (learned from 429s, or the fixed rate limit) and any pause} */
  public RequestPace pace() {
    return core.pacer().pace();
  }

  /** {@return the most jobs that have been in flight at once over the pipeline's life} */
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

  /**
   * Configures an {@link ImagePipeline}. Each setter replaces an immutable settings value, so
   * {@link #build()} hands the pipeline settings no later call can change. Not thread-safe.
   */
  public static final class Builder {
    private PipelineSettings settings = PipelineSettings.DEFAULTS;

    private Builder() {}

    private <T> Builder set(PipelineSettings.Key<T> key, T value) {
      return update(settings.with(key, value));
    }

    private Builder update(PipelineSettings next) {
      settings = next;
      return this;
    }

    /**
     * The AnyCap client to send requests with. Required; no default.
     *
     * @param client the client, such as {@code AnyCapClient.fromEnv()}
     * @return this builder
     */
    public Builder client(AnyCapClient client) {
      return set(PipelineSettings.CLIENT, Objects.requireNonNull(client, "client"));
    }

    /**
     * The prompt templates jobs name; default none, so every job needs a literal prompt.
     *
     * @param templates the templates
     * @return this builder
     */
    public Builder templates(PromptTemplates templates) {
      return set(PipelineSettings.TEMPLATES, Objects.requireNonNull(templates, "templates"));
    }

    /**
     * At most this many jobs in flight at once; default 4.
     *
     * @param concurrency at least 1
     * @return this builder
     */
    public Builder concurrency(int concurrency) {
      return set(PipelineSettings.CONCURRENCY, PipelineSettings.atLeastOne(concurrency, "concurrency"));
    }

    /**
     * How a job's failed requests are retried; default {@link Retry#defaults()}: 4 attempts in
     * all, backoff from 1 s doubling to at most 30 s, each delay spread by up to half (jitter
     * 0.5), and a server's {@code Retry-After} honoured up to 60 s.
     *
     * @param retry the retry policy
     * @return this builder
     */
    public Builder retry(Retry retry) {
      return set(PipelineSettings.RETRY, Objects.requireNonNull(retry, "retry"));
    }

    /**
     * The directory output keys are relative to; default {@code output} (in the working directory).
     *
     * @param outputRoot the directory, created as needed
     * @return this builder
     */
    public Builder outputRoot(Path outputRoot) {
      return set(PipelineSettings.OUTPUT_ROOT, Objects.requireNonNull(outputRoot, "outputRoot"));
    }

    /**
     * The JSON Lines journal of finished jobs, so that a rerun skips what succeeded and delivers
     * what was kept but not delivered; default none, so nothing is remembered across runs.
     *
     * @param journal the file, created when missing
     * @return this builder
     */
    public Builder journal(Path journal) {
      return set(PipelineSettings.JOURNAL, Objects.requireNonNull(journal, "journal"));
    }

    /**
     * The most the pipeline may spend over its life, in credits or dollars; default {@link
     * Budget#unlimited()}.
     *
     * @param budget the limit
     * @return this builder
     */
    public Builder budget(Budget budget) {
      return set(PipelineSettings.BUDGET, Objects.requireNonNull(budget, "budget"));
    }

    /**
     * Prices for dollar budgets and estimates; default {@link PriceTable#defaults()} (published).
     *
     * @param prices the price table
     * @return this builder
     */
    public Builder prices(PriceTable prices) {
      return set(PipelineSettings.PRICES, Objects.requireNonNull(prices, "prices"));
    }

    /**
     * The model for jobs and templates that name none; default {@code nano-banana-2}.
     *
     * @param model a model id
     * @return this builder
     */
    public Builder defaultModel(String model) {
      return set(PipelineSettings.DEFAULT_MODEL, Objects.requireNonNull(model, "model"));
    }

    /**
     * The model for jobs and templates that name none; default {@link Model#NANO_BANANA_2}.
     *
     * @param model a known model
     * @return this builder
     */
    public Builder defaultModel(Model model) {
      return defaultModel(Objects.requireNonNull(model, "model").id());
    }

    /**
     * A model parameter for every job, over template defaults and under the job's own; default
     * none.
     *
     * @param name the parameter's name, such as {@code aspect_ratio}
     * @param value its value
     * @return this builder
     */
    public Builder defaultParam(String name, Object value) {
      return update(settings.withEntry(PipelineSettings.DEFAULT_PARAMS, name, value));
    }

    /**
     * Delivers each finished image to this sink (after the sinks added before it); default none.
     * A chain from {@link Sinks#chain(ImageSink...)} counts as its members.
     *
     * @param sink the sink, named apart from the others
     * @return this builder
     * @throws IllegalArgumentException when two sinks have the same name
     */
    public Builder sink(ImageSink sink) {
      return update(settings.withSinks(Sinks.flatten(Objects.requireNonNull(sink, "sink"))));
    }

    /**
     * Whether the pipeline finds the server's rate limit by itself; default true. On a 429 every
     * job's requests wait out the {@code Retry-After}, then go at a pace a little below the rate
     * the server accepted, raised slowly while no 429 comes (see {@link RequestPace}). Off, only
     * the job that got the 429 waits.
     *
     * @param adaptive true to learn the pace
     * @return this builder
     */
    public Builder adaptiveRate(boolean adaptive) {
      return set(PipelineSettings.ADAPTIVE_RATE, adaptive);
    }

    /**
     * Sends at most this many generate requests a second, evenly spaced, for users who know their
     * quota; adaptive control may go slower, never faster. Default: no fixed rate.
     *
     * @param requestsPerSecond a positive, finite rate
     * @return this builder
     */
    public Builder rateLimit(double requestsPerSecond) {
      return set(PipelineSettings.RATE_LIMIT, PipelineSettings.positiveRate(requestsPerSecond));
    }

    /**
     * How a failed delivery is retried, per sink; default {@link Retry#defaults()} (4 attempts,
     * 1 s doubling to 30 s, jitter 0.5). A sink's failure is retried unless the sink says it is
     * final ({@link SinkException#retryable()} false).
     *
     * @param retry the retry policy for sinks
     * @return this builder
     */
    public Builder sinkRetry(Retry retry) {
      return set(PipelineSettings.SINK_RETRY, Objects.requireNonNull(retry, "retry"));
    }

    /**
     * Adds a listener for progress, notifications or metrics (after those added before it);
     * default none. Listeners are called on one pipeline thread, in order.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(PipelineListener listener) {
      return update(settings.withAdded(PipelineSettings.LISTENERS, listener));
    }

    /**
     * The longest a job may take, retries included; default 10 minutes.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder jobTimeout(Duration timeout) {
      return set(PipelineSettings.JOB_TIMEOUT, PipelineSettings.positive(timeout, "jobTimeout"));
    }

    /**
     * The longest one request may take; default 2 minutes.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder attemptTimeout(Duration timeout) {
      return set(PipelineSettings.ATTEMPT_TIMEOUT, PipelineSettings.positive(timeout, "attemptTimeout"));
    }

    /**
     * The executor that waits out retry delays; by default the pipeline makes its own (one daemon
     * thread, shut down by {@link ImagePipeline#close()}). One given here is not shut down.
     *
     * @param scheduler the executor
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      return set(PipelineSettings.SCHEDULER, Objects.requireNonNull(scheduler, "scheduler"));
    }

    /**
     * The clock for journal timestamps; default the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      return set(PipelineSettings.CLOCK, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Skip malformed entries (reported as skipped, with the reason) instead of refusing the
     * batch; by default a malformed entry refuses the whole batch before anything is spent.
     *
     * @return this builder
     */
    public Builder skipInvalidRows() {
      return set(PipelineSettings.SKIP_INVALID_ROWS, true);
    }

    /**
     * Whether identical requests in a batch are generated once (the others copy the image);
     * default true.
     *
     * @param deduplicate false to generate every entry
     * @return this builder
     */
    public Builder deduplicate(boolean deduplicate) {
      return set(PipelineSettings.DEDUPLICATE, deduplicate);
    }

    /**
     * Builds the pipeline, opening its journal and starting its threads.
     *
     * @return the pipeline; close it when done
     * @throws IllegalStateException when no client is set
     * @throws JournalException when the journal cannot be read
     */
    public ImagePipeline build() {
      if (!settings.has(PipelineSettings.CLIENT)) {
        throw new IllegalStateException("ImagePipeline needs a client: call client(AnyCapClient.fromEnv())");
      }
      return new ImagePipeline(settings);
    }
  }
}

package ai.anycap.pipeline;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapClientBuilder;
import ai.anycap.client.Model;
import ai.anycap.client.PriceTable;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.internal.PipelineSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Configures an {@link ImagePipeline}. Each setter replaces an immutable settings value, so
 * {@link #build()} hands the pipeline settings no later call can change. Not thread-safe.
 */
public final class ImagePipelineBuilder {
  private PipelineSettings settings = PipelineSettings.DEFAULTS;

  ImagePipelineBuilder() {}

  private <T> ImagePipelineBuilder set(PipelineSettings.Key<T> key, T value) {
    return update(settings.with(key, value));
  }

  private ImagePipelineBuilder update(PipelineSettings next) {
    settings = next;
    return this;
  }

  /**
   * The AnyCap client to send requests with. Required; no default.
   *
   * @param client the client, such as {@code AnyCapClient.fromEnv()}
   * @return this builder
   */
  public ImagePipelineBuilder client(AnyCapClient client) {
    return set(PipelineSettings.CLIENT, Objects.requireNonNull(client, "client"));
  }

  /**
   * The prompt templates jobs name; default none, so every job needs a literal prompt.
   *
   * @param templates the templates
   * @return this builder
   */
  public ImagePipelineBuilder templates(PromptTemplates templates) {
    return set(PipelineSettings.TEMPLATES, Objects.requireNonNull(templates, "templates"));
  }

  /**
   * At most this many jobs making their paid calls (generate, edit, upscale) at once; default 4.
   * A job whose call is answered moves on to download its images and hand them to the sinks under
   * a second limit of the same size, taken before it lets its call's place go: the calls' places
   * stay busy with calls (so that C places and calls of L seconds make close to C/L images a
   * second), and slow downloads or sinks still hold new calls back. At most twice this many jobs
   * are under way at once.
   *
   * @param concurrency at least 1
   * @return this builder
   */
  public ImagePipelineBuilder concurrency(int concurrency) {
    return set(PipelineSettings.CONCURRENCY, PipelineSettings.atLeastOne(concurrency, "concurrency"));
  }

  /**
   * How a job's failed requests are retried; default {@link Retry#defaults()}: 4 attempts in
   * all, backoff from 1 s doubling to at most 30 s, each delay spread by up to half (jitter
   * 0.5), a server's {@code Retry-After} honoured up to 60 s, and a generate attempt that may
   * have been billed without an answer resubmitted (counted as possibly billed; see {@link
   * Retry#uncertain()}).
   *
   * @param retry the retry policy
   * @return this builder
   */
  public ImagePipelineBuilder retry(Retry retry) {
    return set(PipelineSettings.RETRY, Objects.requireNonNull(retry, "retry"));
  }

  /**
   * The directory output keys are relative to; default {@code output} (in the working directory).
   *
   * @param outputRoot the directory, created as needed
   * @return this builder
   */
  public ImagePipelineBuilder outputRoot(Path outputRoot) {
    return set(PipelineSettings.OUTPUT_ROOT, Objects.requireNonNull(outputRoot, "outputRoot"));
  }

  /**
   * The directory that jobs' local reference images are relative to (a CSV's reference column, a
   * JSON line's {@code references}); default the working directory. A reference that leads out of
   * it (through {@code ..}, or an absolute path elsewhere) is refused when the batch is checked, so
   * that a job file cannot make the pipeline upload files from anywhere on the machine.
   *
   * @param directory the directory
   * @return this builder
   */
  public ImagePipelineBuilder referenceDirectory(Path directory) {
    return set(PipelineSettings.REFERENCE_DIRECTORY, Objects.requireNonNull(directory, "directory"));
  }

  /**
   * The JSON Lines journal, so that a rerun skips what succeeded for the same request (its image
   * still there, see {@link #outputCheck}), delivers what was kept but not delivered, and
   * downloads what the server had answered when a run stopped; default none. One pipeline at a
   * time may hold a journal (an OS lock on {@code <journal>.lock}).
   *
   * @param journal the file, created when missing
   * @return this builder
   */
  public ImagePipelineBuilder journal(Path journal) {
    return set(PipelineSettings.JOURNAL, Objects.requireNonNull(journal, "journal"));
  }

  /**
   * How a rerun checks that a recorded image is still there before skipping its job; default
   * {@link OutputCheck#SIZE}.
   *
   * @param check the check
   * @return this builder
   */
  public ImagePipelineBuilder outputCheck(OutputCheck check) {
    return set(PipelineSettings.OUTPUT_CHECK, Objects.requireNonNull(check, "check"));
  }

  /**
   * The most the pipeline may spend over its life, in credits or dollars; default {@link
   * Budget#unlimited()}. A batch in which no job fits the limit (the cheapest costs more) is
   * refused before it starts.
   *
   * @param budget the limit, above zero
   * @return this builder
   * @throws IllegalArgumentException when the limit is zero: no job fits in it
   */
  public ImagePipelineBuilder budget(Budget budget) {
    Objects.requireNonNull(budget, "budget");
    if (budget.isLimited() && budget.limit().signum() == 0) {
      throw new IllegalArgumentException("budget(Budget): no job fits in a budget of 0 "
          + (budget.unit() == Budget.Unit.USD ? "dollars" : "credits")
          + "; give a positive limit, or leave the budget unset (Budget.unlimited()) for none");
    }
    return set(PipelineSettings.BUDGET, budget);
  }

  /**
   * Prices for dollar budgets and estimates; default {@link PriceTable#defaults()} (published).
   *
   * @param prices the price table
   * @return this builder
   */
  public ImagePipelineBuilder prices(PriceTable prices) {
    return set(PipelineSettings.PRICES, Objects.requireNonNull(prices, "prices"));
  }

  /**
   * The model for jobs and templates that name none; default {@code nano-banana-2}.
   *
   * @param model a model id
   * @return this builder
   */
  public ImagePipelineBuilder defaultModel(String model) {
    return set(PipelineSettings.DEFAULT_MODEL, Objects.requireNonNull(model, "model"));
  }

  /**
   * The model for jobs and templates that name none; default {@link Model#NANO_BANANA_2}.
   *
   * @param model a known model
   * @return this builder
   */
  public ImagePipelineBuilder defaultModel(Model model) {
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
  public ImagePipelineBuilder defaultParam(String name, Object value) {
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
  public ImagePipelineBuilder sink(ImageSink sink) {
    return update(settings.withSinks(Sinks.flatten(Objects.requireNonNull(sink, "sink"))));
  }

  /**
   * Whether the pipeline finds the server's rate limit by itself; default true. On a 429 every
   * job's requests wait out the {@code Retry-After}, then go at the rate the server accepted (1%
   * below it until a second 429 confirms it), raised slowly while no 429 comes (see {@link
   * RequestPace}). Off, only the job that got the 429 waits.
   *
   * <p>What the pace learned belongs to the pipeline, not to one batch: a pipeline kept open
   * (a service, a queue worker) starts its next batch at the pace the last one found, without
   * learning the limit again; a new pipeline (each run of the CLI) starts from nothing. Pipelines
   * sharing a pace ({@link #sharedPace(SharedPace)}) keep it in their store.
   *
   * @param adaptive true to learn the pace
   * @return this builder
   */
  public ImagePipelineBuilder adaptiveRate(boolean adaptive) {
    return set(PipelineSettings.ADAPTIVE_RATE, adaptive);
  }

  /**
   * Sends at most this many generate requests a second, evenly spaced, for users who know their
   * quota; adaptive control may go slower, never faster. A batch then starts at this pace, where
   * one without it finds the limit by being refused (the opening burst, and a few one-second
   * pauses). A lone 429 at this pace pauses every request for its {@code Retry-After} but does not
   * lower the pace (a bunch on the network makes one); another within 30 s does. Default: no
   * fixed rate.
   *
   * @param requestsPerSecond a positive, finite rate
   * @return this builder
   */
  public ImagePipelineBuilder rateLimit(double requestsPerSecond) {
    return set(PipelineSettings.RATE_LIMIT, PipelineSettings.positiveRate(requestsPerSecond));
  }

  /**
   * Shares the pace with every pipeline that sends to the same AnyCap account through the same
   * store, on this machine or others, such as queue workers ({@code anycap-redis}: {@code
   * RedisJobQueue.sharedPace(account)}). Their requests then take turns at one schedule, so that
   * together they keep to the pace one pipeline would; a 429 any of them gets pauses all of them
   * for its {@code Retry-After}; and what one learns of the account's rate limit, all use (see
   * {@link SharedPace}). Give every worker the same store, {@link #adaptiveRate(boolean)} and
   * {@link #rateLimit(double)}: a fixed rate then caps the account's pace, not this pipeline's.
   * Default: none, the pace is this pipeline's own.
   *
   * @param pace the store the pipelines share
   * @return this builder
   */
  public ImagePipelineBuilder sharedPace(SharedPace pace) {
    return set(PipelineSettings.SHARED_PACE, Objects.requireNonNull(pace, "pace"));
  }

  /**
   * How a failed delivery is retried, per sink; default {@link Retry#defaults()} (4 attempts,
   * 1 s doubling to 30 s, jitter 0.5). A sink's failure is retried unless the sink says it is
   * final ({@link SinkException#retryable()} false).
   *
   * @param retry the retry policy for sinks
   * @return this builder
   */
  public ImagePipelineBuilder sinkRetry(Retry retry) {
    return set(PipelineSettings.SINK_RETRY, Objects.requireNonNull(retry, "retry"));
  }

  /**
   * Adds a listener for progress, notifications or metrics (after those added before it);
   * default none. Listeners are called on one pipeline thread, in order.
   *
   * @param listener the listener
   * @return this builder
   */
  public ImagePipelineBuilder listener(PipelineListener listener) {
    return update(settings.withAdded(PipelineSettings.LISTENERS, listener));
  }

  /**
   * How long a job may go on starting requests, retries included; default 10 minutes. A request
   * under way when it passes is not cut short (see {@link #attemptTimeout}).
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public ImagePipelineBuilder jobTimeout(Duration timeout) {
    return set(PipelineSettings.JOB_TIMEOUT, PipelineSettings.positive(timeout, "jobTimeout"));
  }

  /**
   * The longest one request may take, for every model; default unset: each generate gets its
   * model's timeout from the client ({@code AnyCapClientBuilder.generateTimeout}, minutes for
   * slow models), each download the client's download timeout. Set it below a model's time to
   * answer and attempts are cut, resubmitted and possibly paid twice.
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public ImagePipelineBuilder attemptTimeout(Duration timeout) {
    return set(PipelineSettings.ATTEMPT_TIMEOUT, PipelineSettings.positive(timeout, "attemptTimeout"));
  }

  /**
   * The executor that waits out retry delays; by default the pipeline makes its own (one daemon
   * thread, shut down by {@link ImagePipeline#close()}). One given here is not shut down.
   *
   * @param scheduler the executor
   * @return this builder
   */
  public ImagePipelineBuilder scheduler(ScheduledExecutorService scheduler) {
    return set(PipelineSettings.SCHEDULER, Objects.requireNonNull(scheduler, "scheduler"));
  }

  /**
   * The clock for journal timestamps; default the system UTC clock.
   *
   * @param clock the clock
   * @return this builder
   */
  public ImagePipelineBuilder clock(Clock clock) {
    return set(PipelineSettings.CLOCK, Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Skip malformed entries (reported as skipped, with the reason) instead of refusing the
   * batch; by default a malformed entry refuses the whole batch before anything is spent.
   *
   * @return this builder
   */
  public ImagePipelineBuilder skipInvalidRows() {
    return set(PipelineSettings.SKIP_INVALID_ROWS, true);
  }

  /**
   * Whether identical requests in a batch are generated once (the others copy the image);
   * default true.
   *
   * @param deduplicate false to generate every entry
   * @return this builder
   */
  public ImagePipelineBuilder deduplicate(boolean deduplicate) {
    return set(PipelineSettings.DEDUPLICATE, deduplicate);
  }

  /**
   * Whether, before a batch runs, each job's parameters are checked against its model's schema
   * ({@code GET /v1/image/models/{model}/schema}, fetched once per model, operation and mode for
   * the batch, free of charge); default true. A job that breaks the schema (an unknown parameter,
   * a value outside its allowed values, a required one missing) refuses the batch like any
   * malformed entry, and a model the API does not list is refused by name. When a schema cannot
   * be fetched (network, 5xx, or a 404 for a listed model), the batch goes on without it, and
   * {@link PipelineListener#onWarning} says so. Turn it off when the server's schema is known to
   * be wrong, or to save the calls.
   *
   * @param check false to send parameters unchecked
   * @return this builder
   */
  public ImagePipelineBuilder schemaCheck(boolean check) {
    return set(PipelineSettings.SCHEMA_CHECK, check);
  }

  /**
   * Whether, before a batch runs, its estimate is held against the account's credit balance
   * ({@link AnyCapClient#status()}, free of charge); default true. A batch that needs more credits
   * than the account holds is refused before anything is sent, unless a credit {@link #budget}
   * within the balance caps it: that budget is the way to spend what the balance covers. When the
   * status call fails, or reports no balance, the batch goes on.
   *
   * @param check false to start batches whatever the balance
   * @return this builder
   */
  public ImagePipelineBuilder balanceCheck(boolean check) {
    return set(PipelineSettings.BALANCE_CHECK, check);
  }

  /**
   * The longest prompt a job may send, in characters; default 8,000. The API documents no limit,
   * but a prompt that long is almost always a mistake in the input (a cell that swallowed the rows
   * after an unclosed quote, a pasted document), and the request would be paid for; such a job is
   * refused, naming its position and the {@code prompt} field. Raise it if your prompts are
   * really that long.
   *
   * @param characters at least 1
   * @return this builder
   */
  public ImagePipelineBuilder maxPromptLength(int characters) {
    return set(PipelineSettings.MAX_PROMPT_LENGTH, PipelineSettings.atLeastOne(characters, "maxPromptLength"));
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
    return ImagePipeline.of(settings);
  }
}

package ai.anycap.sinks;

import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.sinks.internal.SinkHttp;
import ai.anycap.sinks.internal.SlackMessages;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a Slack channel when a batch starts and how it ended (and, as they happen, which jobs
 * failed), through an incoming webhook.
 *
 * <pre>{@code
 * ImagePipeline pipeline = ImagePipeline.builder()
 *     .client(client)
 *     .listener(SlackNotifier.builder()
 *         .webhookUrlFromEnv("SLACK_WEBHOOK_URL")
 *         .estimate(estimate)            // optional: puts the expected cost in the start message
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>The start message gives the number of jobs (and the estimate's credits and dollars when one
 * was given); the finish message gives succeeded, failed and skipped jobs, credits, cost, duration
 * and the first {@value ai.anycap.sinks.internal.SlackMessages#LISTED_FAILURES} failures with
 * their error codes. With {@link Builder#notifyFailuresAsTheyHappen(boolean)} on (the default),
 * each failed job is posted too, up to {@value #MAX_FAILURE_MESSAGES} per batch.
 *
 * <p>Slack being down never fails a batch: messages are posted in the background, in order, each
 * given at most the timeout; a failure is logged as a warning and dropped. {@link
 * #onBatchFinished} waits for the finish message up to the timeout, so that it is sent before a
 * short program exits. The webhook URL is a secret: logs and {@link #toString()} show only its
 * host.
 *
 * <p>Defaults: title {@code AnyCap batch}, timeout 5 s, failures posted as they happen, an HTTP
 * client of its own. Thread-safe; one notifier may serve several pipelines, whose messages then
 * interleave.
 */
public final class SlackNotifier implements PipelineListener {

  /** Failed jobs posted one by one per batch; later failures are left to the finish message. */
  public static final int MAX_FAILURE_MESSAGES = 10;

  private static final Logger log = LoggerFactory.getLogger(SlackNotifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI webhookUrl;
  private final String title;
  private final BatchEstimate estimate;
  private final Duration timeout;
  private final boolean notifyFailures;
  private final HttpClient http;

  private final AtomicInteger failuresPosted = new AtomicInteger();
  private final AtomicLong failedPosts = new AtomicLong();
  /** The last message in line; each message is sent once the one before it is settled. */
  private CompletableFuture<Boolean> tail = CompletableFuture.completedFuture(true);

  private SlackNotifier(Builder b) {
    webhookUrl = b.webhookUrl;
    title = b.title;
    estimate = b.estimate;
    timeout = b.timeout;
    notifyFailures = b.notifyFailures;
    http = b.httpClient != null ? b.httpClient : SinkHttp.defaultClient(b.timeout);
  }

  /**
   * A builder with the defaults above.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void onBatchStarted(OptionalLong totalJobs) {
    failuresPosted.set(0);
    post(SlackMessages.started(title, totalJobs, estimate));
  }

  @Override
  public void onJobFinished(JobResult result) {
    if (!notifyFailures || !(result instanceof JobResult.Failed failed)) {
      return;
    }
    int n = failuresPosted.incrementAndGet();
    if (n <= MAX_FAILURE_MESSAGES) {
      post(SlackMessages.jobFailed(title, failed));
    } else if (n == MAX_FAILURE_MESSAGES + 1) {
      post(SlackMessages.moreFailures(title));
    }
  }

  /** Posts the summary and waits for it up to the timeout (never longer), so it is not lost at exit. */
  @Override
  public void onBatchFinished(BatchReport report) {
    CompletableFuture<Boolean> sent = post(SlackMessages.finished(title, report));
    try {
      sent.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Logged where the post settles; the batch is not held up for Slack.
    }
  }

  /**
   * Waits until every message posted so far is settled, at most {@code timeout}.
   *
   * @param timeout the longest to wait
   * @return true when every message so far reached Slack; false when one could not be posted (it
   *     was logged) or the time ran out
   */
  public boolean awaitDelivered(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<Boolean> last;
    synchronized (this) {
      last = tail;
    }
    try {
      last.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
    return failedPosts.get() == 0;
  }

  /** Queues a message behind the ones before it; the future completes with whether Slack took it. */
  private CompletableFuture<Boolean> post(String text) {
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("text", text));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    synchronized (this) {
      tail = tail.thenComposeAsync(previous -> send(body));
      return tail;
    }
  }

  private CompletableFuture<Boolean> send(String body) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(webhookUrl)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      return http.sendAsync(request, SinkHttp.boundedText())
          .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .handle(this::settle);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(settle(null, e));
    }
  }

  private boolean settle(HttpResponse<String> response, Throwable error) {
    if (error == null && response.statusCode() >= 200 && response.statusCode() < 300) {
      return true;
    }
    failedPosts.incrementAndGet();
    if (error != null) {
      Throwable e = SinkHttp.cause(error);
      String what = e instanceof TimeoutException || e instanceof java.net.http.HttpTimeoutException
          ? "no answer within " + timeout
          : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + hideUrl(e.getMessage()));
      log.warn("Slack notification to {} not sent ({}); the batch goes on", host(), what);
    } else {
      log.warn("Slack notification to {} refused with HTTP {}: {}; the batch goes on",
          host(), response.statusCode(), SinkHttp.quote(hideUrl(response.body() == null ? "" : response.body())));
    }
    return false;
  }

  private String host() {
    return webhookUrl.getHost();
  }

  /** The webhook's path is its secret: keep it out of any text that is logged. */
  private String hideUrl(String text) {
    String out = text.replace(webhookUrl.toString(), host());
    String path = webhookUrl.getRawPath();
    return path != null && path.length() > 1 ? out.replace(path, "/...") : out;
  }

  @Override
  public String toString() {
    return "SlackNotifier[" + host() + "]";
  }

  /** Configures a {@link SlackNotifier}; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private URI webhookUrl;
    private String title = "AnyCap batch";
    private BatchEstimate estimate;
    private Duration timeout = Duration.ofSeconds(5);
    private boolean notifyFailures = true;
    private HttpClient httpClient;

    private Builder() {}

    /**
     * The incoming-webhook URL, {@code https://hooks.slack.com/services/...}. Required (this or
     * {@link #webhookUrlFromEnv(String)}); no default.
     *
     * @param url the URL, a secret: it is never logged
     * @return this builder
     * @throws IllegalArgumentException when the URL is not http(s) or has no host
     */
    public Builder webhookUrl(URI url) {
      Objects.requireNonNull(url, "webhookUrl");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
        // The URL itself is not quoted: it is a secret.
        throw new IllegalArgumentException("the Slack webhook URL must be an http or https URL with a host");
      }
      this.webhookUrl = url;
      return this;
    }

    /**
     * The incoming-webhook URL from an environment variable, such as {@code SLACK_WEBHOOK_URL}.
     *
     * @param variable the variable's name
     * @return this builder
     * @throws IllegalStateException when the variable is not set
     */
    public Builder webhookUrlFromEnv(String variable) {
      return webhookUrlFromEnv(variable, System.getenv());
    }

    Builder webhookUrlFromEnv(String variable, Map<String, String> env) {
      Objects.requireNonNull(variable, "variable");
      String value = env.get(variable);
      if (value == null || value.isBlank()) {
        throw new IllegalStateException("environment variable " + variable + " is not set; it should hold the Slack webhook URL");
      }
      URI url;
      try {
        url = URI.create(value.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("environment variable " + variable + " does not hold a valid URL");
      }
      return webhookUrl(url);
    }

    /**
     * The name messages give the batch; default {@code AnyCap batch}.
     *
     * @param title the name, as Slack text
     * @return this builder
     */
    public Builder title(String title) {
      this.title = Objects.requireNonNull(title, "title");
      return this;
    }

    /**
     * An estimate of the batch, from {@link ImagePipeline#estimate(JobSource)}, for the start
     * message; default none (the message gives the number of jobs only).
     *
     * @param estimate the estimate
     * @return this builder
     */
    public Builder estimate(BatchEstimate estimate) {
      this.estimate = Objects.requireNonNull(estimate, "estimate");
      return this;
    }

    /**
     * The longest one message may take, and {@link SlackNotifier#onBatchFinished} may wait;
     * default 5 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = SinkHttp.positiveTimeout(timeout);
      return this;
    }

    /**
     * The HTTP client to post with; by default the notifier makes its own.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Whether each failed job is posted when it fails (up to {@value SlackNotifier#MAX_FAILURE_MESSAGES}
     * per batch); default true.
     *
     * @param notify true to post failures as they happen
     * @return this builder
     */
    public Builder notifyFailuresAsTheyHappen(boolean notify) {
      this.notifyFailures = notify;
      return this;
    }

    /**
     * Builds the notifier.
     *
     * @return the notifier
     * @throws IllegalStateException when no webhook URL is set
     */
    public SlackNotifier build() {
      if (webhookUrl == null) {
        throw new IllegalStateException("SlackNotifier needs a webhookUrl, or webhookUrlFromEnv(\"SLACK_WEBHOOK_URL\")");
      }
      return new SlackNotifier(this);
    }
  }
}

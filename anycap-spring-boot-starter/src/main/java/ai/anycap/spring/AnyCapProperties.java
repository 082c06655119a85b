package ai.anycap.spring;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code anycap.*} properties. A property left unset keeps the library's default (the javadoc
 * of {@code AnyCapClientBuilder} and {@code ImagePipelineBuilder} gives each one). Spring's
 * relaxed binding reads the SDK's environment variables too: {@code ANYCAP_API_KEY} is {@code
 * anycap.api-key}, {@code ANYCAP_API_ENDPOINT} is {@code anycap.api-endpoint}.
 *
 * <pre>{@code
 * anycap:
 *   api-key: ${ANYCAP_API_KEY}       # never logged; masked in /actuator/env and /actuator/configprops
 *   generate-timeouts:
 *     seedream-5: 6m
 *   pipeline:
 *     concurrency: 16
 *     output-root: /var/images
 *     journal: /var/images/manifest.jsonl
 *     budget:
 *       usd: 250
 * }</pre>
 *
 * @param apiKey the API key; required (from {@code ANYCAP_API_KEY} when not set here)
 * @param apiEndpoint the API base URL; default {@code https://api.anycap.ai}
 * @param connectTimeout how long opening a connection may take; default 10 s
 * @param requestTimeout how long calls other than generate and edit may take; default 30 s
 * @param downloadTimeout how long one image download may take; default 120 s
 * @param generateTimeout how long a generate or edit call may take, for every model; default by
 *     model (2 minutes for nano-banana-2, 3 for nano-banana-pro, 5 for others)
 * @param generateTimeouts per model, over {@code generate-timeout}: {@code
 *     anycap.generate-timeouts.seedream-5=6m}
 * @param pipeline the {@code ImagePipeline} bean's settings
 * @param redis the Redis queue and its worker, with {@code anycap-redis} on the classpath
 * @param health the Actuator health indicator
 */
@ConfigurationProperties("anycap")
public record AnyCapProperties(
    String apiKey,
    URI apiEndpoint,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration downloadTimeout,
    Duration generateTimeout,
    Map<String, Duration> generateTimeouts,
    @DefaultValue Pipeline pipeline,
    @DefaultValue Redis redis,
    @DefaultValue Health health) {

  /**
   * The pipeline's settings; each unset one keeps {@code ImagePipelineBuilder}'s default.
   *
   * @param enabled whether to make the {@code ImagePipeline} bean; default true
   * @param concurrency the most jobs in flight at once; default 4
   * @param outputRoot the directory output keys are relative to; default {@code output}
   * @param journal the JSON Lines journal that lets a rerun skip what is done; default none
   * @param rateLimit at most this many generate requests a second; default none (adaptive)
   * @param adaptiveRate whether the pace is learned from 429s; default true
   * @param defaultModel the model for jobs that name none; default {@code nano-banana-2}
   * @param jobTimeout how long a job may go on starting requests; default 10 minutes
   * @param attemptTimeout the longest one request may take; default the client's per-model timeout
   * @param retry how failed requests are retried
   * @param budget the most the pipeline may spend; default unlimited
   */
  public record Pipeline(
      @DefaultValue("true") boolean enabled,
      Integer concurrency,
      Path outputRoot,
      Path journal,
      Double rateLimit,
      Boolean adaptiveRate,
      String defaultModel,
      Duration jobTimeout,
      Duration attemptTimeout,
      @DefaultValue Retry retry,
      @DefaultValue Budget budget) {}

  /**
   * How a job's failed requests are retried; each unset value keeps {@code Retry.defaults()}'s.
   *
   * @param maxAttempts attempts in all; default 4
   * @param initialDelay the delay before the first retry; default 1 s
   * @param maxDelay the longest backoff delay; default 30 s
   * @param maxRetryAfter the longest {@code Retry-After} honoured; default 60 s
   * @param failWhenBillingUncertain fail a job whose attempt may have been billed without an
   *     answer rather than send it again; default false
   */
  public record Retry(
      Integer maxAttempts,
      Duration initialDelay,
      Duration maxDelay,
      Duration maxRetryAfter,
      @DefaultValue("false") boolean failWhenBillingUncertain) {}

  /**
   * The pipeline's budget: set one of the two, or neither for no limit.
   *
   * @param credits the most credits it may spend
   * @param usd the most dollars it may spend, by the price table
   */
  public record Budget(BigDecimal credits, BigDecimal usd) {}

  /**
   * The Redis job queue ({@code anycap-redis} on the classpath and {@code uri} set).
   *
   * @param uri such as {@code redis://localhost:6379}; without it, no queue bean
   * @param namespace the prefix of the queue's keys; default {@code anycap}
   * @param worker whether this application works jobs from the queue with the pipeline; default
   *     true (false for an application that only enqueues)
   * @param workerName this worker's name in the consumer group; default the host name and process id
   */
  public record Redis(String uri, String namespace, @DefaultValue("true") boolean worker, String workerName) {}

  /**
   * The Actuator health indicator {@code anycap}: the {@code GET /v1/status} call (free),
   * remembered for a while so that frequent probes do not become frequent calls.
   *
   * @param cacheTimeToLive how long an answer is reused; default 30 s
   */
  public record Health(@DefaultValue("30s") Duration cacheTimeToLive) {}

  /** Never shows the key: this record's {@code toString()} reaches logs and failure analyses. */
  @Override
  public String toString() {
    return "AnyCapProperties{apiEndpoint=" + apiEndpoint + ", apiKey=" + (apiKey == null ? "unset" : "[redacted]")
        + ", pipeline=" + pipeline + ", redis=" + redis + ", health=" + health + '}';
  }
}

package ai.anycap.micrometer;

import ai.anycap.client.ExchangeListener;
import ai.anycap.micrometer.internal.ClientObservations;
import ai.anycap.micrometer.internal.PipelineGauges;
import ai.anycap.micrometer.internal.PipelineMeters;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.PipelineListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;

/**
 * Metrics and traces of an AnyCap client and pipeline, in Micrometer.
 *
 * <pre>{@code
 * AnyCapObservability observability = AnyCapObservability.of(meterRegistry, observationRegistry);
 * AnyCapClient client = AnyCapClient.builder().fromEnv()
 *     .exchangeListener(observability.exchangeListener())
 *     .build();
 * ImagePipeline pipeline = ImagePipeline.builder().client(client)
 *     .listener(observability.pipelineListener())
 *     .build();
 * observability.bind(pipeline);            // the gauges: jobs in flight, concurrency, pace
 * }</pre>
 *
 * <p>Client exchanges are <b>Observations</b> named {@value #CLIENT_REQUESTS}: one instrumentation
 * that the registry's handlers turn into a timer (and a {@code .active} long task timer) and, with
 * Micrometer Tracing, into a span per exchange, child of the caller's current span, started
 * before the request is sent. Low-cardinality keys (tags): {@code endpoint} (a route such as
 * {@code POST /v1/image/generate}), {@code status} ({@code 200}, {@code 429}, {@code NONE} when
 * no answer came), {@code error.code} ({@code none} on success); high-cardinality keys (span
 * attributes only): {@code anycap.trace.id}, {@code anycap.request.id}.
 *
 * <p>Pipeline events are plain <b>meters</b>: they are facts the pipeline measured (a job's
 * generate latency spans its retries and pacing) and reports on its listener thread after the
 * fact, and money and gauges are no observations. Tags are bounded: never a prompt, a URL or a
 * job id.
 *
 * <p>Thread-safe. One instance serves one client and one pipeline (or several clients; the
 * gauges of only one pipeline).
 */
public final class AnyCapObservability {

  /** Timer (Observation) of every HTTP exchange: tags {@code endpoint}, {@code status}, {@code error.code}, {@code error}. */
  public static final String CLIENT_REQUESTS = "anycap.client.requests";

  /** Counter of ended jobs: tags {@code outcome} ({@code succeeded}, {@code failed}, {@code skipped}) and {@code error.code} (a failure's code, a skip's reason, {@code none}). */
  public static final String JOBS = "anycap.pipeline.jobs";

  /** Counter of retries scheduled (generate and download): tag {@code exception}, the failure's simple class name. */
  public static final String RETRIES = "anycap.pipeline.retries";

  /** Timer of pauses of every request on a 429's {@code Retry-After}: count is pauses, total time is time paused. */
  public static final String PAUSES = "anycap.pipeline.pauses";

  /** Counter of credits: tags {@code model} and {@code billing} ({@code confirmed}, {@code possibly_billed}). */
  public static final String CREDITS = "anycap.pipeline.credits";

  /** Counter of the dollar estimate of those credits by the pipeline's price table (base unit {@code usd}): same tags. */
  public static final String COST = "anycap.pipeline.cost";

  /** Counter of generate attempts that may have been billed without an answer: tag {@code model}. */
  public static final String POSSIBLY_BILLED = "anycap.pipeline.possibly.billed";

  /** Timer, with a percentile histogram, of a job's wait for its generate answer, pacing and retries included: tag {@code model}. */
  public static final String GENERATE = "anycap.pipeline.generate";

  /** Timer, with a percentile histogram, of a job's downloads, retries included. */
  public static final String DOWNLOAD = "anycap.pipeline.download";

  /** Gauge of the jobs holding a call's place now: {@code ImagePipeline.inFlight()}. */
  public static final String JOBS_ACTIVE = "anycap.pipeline.jobs.active";

  /** Gauge of the most jobs allowed in flight at once. */
  public static final String CONCURRENCY = "anycap.pipeline.concurrency";

  /** Gauge of the pace of generate requests, in requests a second; NaN while nothing but the concurrency limits it. */
  public static final String PACE = "anycap.pipeline.pace";

  private final MeterRegistry meters;
  private final ExchangeListener exchangeListener;
  private final PipelineListener pipelineListener;

  private AnyCapObservability(MeterRegistry meters, ObservationRegistry observations) {
    this.meters = meters;
    this.exchangeListener = new ClientObservations(observations);
    this.pipelineListener = new PipelineMeters(meters);
  }

  /**
   * Records into {@code meters} only: client exchanges become timers, with no traces.
   *
   * @param meters where the meters go
   * @return the observability
   */
  public static AnyCapObservability of(MeterRegistry meters) {
    Objects.requireNonNull(meters, "meters");
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    return new AnyCapObservability(meters, observations);
  }

  /**
   * Observes client exchanges through {@code observations} (whose handlers make their timers and
   * spans: Spring Boot's registers both) and records pipeline meters into {@code meters}.
   *
   * @param meters where the pipeline's meters go
   * @param observations where the client's exchanges are observed
   * @return the observability
   */
  public static AnyCapObservability of(MeterRegistry meters, ObservationRegistry observations) {
    return new AnyCapObservability(
        Objects.requireNonNull(meters, "meters"), Objects.requireNonNull(observations, "observations"));
  }

  /**
   * The listener to give {@code AnyCapClientBuilder.exchangeListener}.
   *
   * @return the same listener on every call
   */
  public ExchangeListener exchangeListener() {
    return exchangeListener;
  }

  /**
   * The listener to give {@code ImagePipelineBuilder.listener}.
   *
   * @return the same listener on every call
   */
  public PipelineListener pipelineListener() {
    return pipelineListener;
  }

  /**
   * Registers the gauges of a pipeline: {@value #JOBS_ACTIVE}, {@value #CONCURRENCY} and {@value
   * #PACE}. They hold the pipeline weakly, and read NaN once it is gone. Bind one pipeline per
   * registry: a second one's gauges would have the same names and tags, and Micrometer keeps the
   * first.
   *
   * @param pipeline the pipeline
   * @return this
   */
  public AnyCapObservability bind(ImagePipeline pipeline) {
    PipelineGauges.register(meters, Objects.requireNonNull(pipeline, "pipeline"));
    return this;
  }
}

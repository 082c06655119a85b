package ai.anycap.micrometer.internal;

import static ai.anycap.micrometer.AnyCapObservability.COST;
import static ai.anycap.micrometer.AnyCapObservability.CREDITS;
import static ai.anycap.micrometer.AnyCapObservability.DOWNLOAD;
import static ai.anycap.micrometer.AnyCapObservability.GENERATE;
import static ai.anycap.micrometer.AnyCapObservability.JOBS;
import static ai.anycap.micrometer.AnyCapObservability.PAUSES;
import static ai.anycap.micrometer.AnyCapObservability.POSSIBLY_BILLED;
import static ai.anycap.micrometer.AnyCapObservability.RETRIES;

import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.RequestPace;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Turns pipeline events into meters. Called on the pipeline's listener thread, so the events of
 * one pipeline are counted in order; Micrometer's meters are thread-safe for several pipelines.
 */
public final class PipelineMeters implements PipelineListener {

  private static final String CONFIRMED = "confirmed";
  private static final String POSSIBLY = "possibly_billed";

  private final MeterRegistry meters;

  public PipelineMeters(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  public void onJobFinished(JobResult result) {
    String outcome;
    String code;
    if (result instanceof JobResult.Failed f) {
      outcome = "failed";
      code = f.errorCode();
    } else if (result instanceof JobResult.Skipped s) {
      outcome = "skipped";
      code = s.reason().name();
    } else {
      outcome = "succeeded";
      code = "none";
    }
    Counter.builder(JOBS).description("Jobs ended, by outcome").baseUnit("jobs")
        .tag("outcome", outcome).tag("error.code", code)
        .register(meters).increment();
  }

  @Override
  public void onRetryScheduled(ImageJob job, int attempt, Duration delay, Throwable cause) {
    Counter.builder(RETRIES).description("Retries scheduled of generate and download requests")
        .tag("exception", cause == null ? "none" : cause.getClass().getSimpleName())
        .register(meters).increment();
  }

  @Override
  public void onPaceChanged(RequestPace pace) {
    if (pace.paused()) {
      Timer.builder(PAUSES).description("Pauses of every generate request on a 429's Retry-After")
          .register(meters).record(pace.pause());
    }
  }

  @Override
  public void onGenerated(ImageJob job, GeneratedImages answer, BigDecimal usd, Duration latency) {
    spend(answer.model(), CONFIRMED, answer.credits(), usd);
    Timer.builder(GENERATE).description("A job's wait for its generate answer, pacing and retries included")
        .tag("model", answer.model())
        .publishPercentileHistogram()
        .register(meters).record(latency);
  }

  @Override
  public void onPossiblyBilled(ImageJob job, String model, BigDecimal credits, BigDecimal usd) {
    Counter.builder(POSSIBLY_BILLED).description("Generate attempts that may have been billed without an answer")
        .tag("model", model)
        .register(meters).increment();
    spend(model, POSSIBLY, credits, usd);
  }

  @Override
  public void onDownloaded(ImageJob job, int images, Duration latency) {
    Timer.builder(DOWNLOAD).description("A job's downloads of its images, retries included")
        .publishPercentileHistogram()
        .register(meters).record(latency);
  }

  private void spend(String model, String billing, BigDecimal credits, BigDecimal usd) {
    Counter.builder(CREDITS).description("Credits charged (confirmed) or possibly billed").baseUnit("credits")
        .tag("model", model).tag("billing", billing)
        .register(meters).increment(credits.doubleValue());
    Counter.builder(COST).description("Dollar estimate of those credits, by the pipeline's price table").baseUnit("usd")
        .tag("model", model).tag("billing", billing)
        .register(meters).increment(usd.doubleValue());
  }
}

package ai.anycap.micrometer.internal;

import ai.anycap.micrometer.AnyCapObservability;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.RequestPace;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The gauges read from a live pipeline: jobs in flight, its concurrency limit, its pace. */
public final class PipelineGauges {

  private PipelineGauges() {}

  public static void register(MeterRegistry meters, ImagePipeline pipeline) {
    Gauge.builder(AnyCapObservability.JOBS_ACTIVE, pipeline, ImagePipeline::inFlight)
        .description("Jobs holding a place for a paid call now (waiting for the pace, generating, or answered and waiting to download)")
        .baseUnit("jobs")
        .register(meters);
    Gauge.builder(AnyCapObservability.CONCURRENCY, pipeline, ImagePipeline::concurrency)
        .description("The most jobs allowed in flight at once")
        .baseUnit("jobs")
        .register(meters);
    Gauge.builder(AnyCapObservability.PACE, pipeline, PipelineGauges::pace)
        .description("Generate requests a second the pipeline allows now; NaN while unpaced")
        .register(meters);
  }

  private static double pace(ImagePipeline pipeline) {
    RequestPace pace = pipeline.pace();
    return pace.limited() ? pace.requestsPerSecond() : Double.NaN;
  }
}

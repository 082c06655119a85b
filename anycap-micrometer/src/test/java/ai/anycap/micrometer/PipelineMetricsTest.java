package ai.anycap.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.anycap.client.ExchangeRequest;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.Retry;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meters of a client and a pipeline against the simulator: every count equals what the
 * simulator counted or the batch report says, and a 429 storm shows as 429s, pauses and a pace
 * that fell from unlimited.
 */
class PipelineMetricsTest {

  private static final String GENERATE = "POST /v1/image/generate";

  @TempDir Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AnyCapObservability observability = AnyCapObservability.of(meters);
  /** The meters that asked for a percentile histogram (which a Prometheus registry publishes). */
  private final Set<String> histograms = ConcurrentHashMap.newKeySet();

  {
    meters.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (Boolean.TRUE.equals(config.isPercentileHistogram())) {
          histograms.add(id.getName());
        }
        return config;
      }
    });
  }

  static List<ImageJob> jobs(int n) {
    List<ImageJob> jobs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      jobs.add(ImageJob.builder().id("job-" + i).prompt("a paper crane, number " + i).outputKey("img-" + i + ".png").build());
    }
    return jobs;
  }

  private long requests(String endpoint, String status) {
    return meters.find(AnyCapObservability.CLIENT_REQUESTS).tag("endpoint", endpoint).tag("status", status)
        .timers().stream().mapToLong(Timer::count).sum();
  }

  private double counted(String name, String... tags) {
    return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void everyCount_equalsTheSimulatorsCountersAndTheReport() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(21)
            .fault(Fault.serverError(503).onNthRequest(2))
            .fault(Fault.resetConnection().afterGeneration().onNthRequest(5))
            .fault(Fault.truncatedDownload().onNthRequest(3))
            .start();
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.clientBuilder().exchangeListener(observability.exchangeListener()).build())
            .outputRoot(dir)
            .concurrency(3)
            .retry(Retry.exponential(4, Duration.ofMillis(10), Duration.ofMillis(40)))
            .listener(observability.pipelineListener())
            .build()) {
      observability.bind(pipeline);
      BatchReport report = pipeline.run(JobSource.of(jobs(12)));
      SimulatorCounters c = sim.counters();

      assertThat(report.succeeded()).isEqualTo(12);
      // Client exchanges, endpoint by endpoint and status by status, as the simulator saw them.
      assertThat(requests(GENERATE, "200")).isEqualTo(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(12);
      assertThat(requests(GENERATE, "503")).isEqualTo(c.requests(SimulatorCounters.GENERATE, 503)).isEqualTo(1);
      assertThat(requests(GENERATE, "NONE")).isEqualTo(c.requests(SimulatorCounters.GENERATE, 0)).isEqualTo(1);
      // 13 downloads answered 200, one of them cut off halfway and tried again.
      assertThat(requests(ExchangeRequest.DOWNLOAD, "200")).isEqualTo(c.requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(13);
      assertThat(meters.get(AnyCapObservability.CLIENT_REQUESTS).tag("endpoint", ExchangeRequest.DOWNLOAD)
          .tag("error.code", "DOWNLOAD_TRANSPORT").timer().count()).isEqualTo(1);
      assertThat(meters.find(AnyCapObservability.CLIENT_REQUESTS).tag("status", "503").timer().getId().getTag("error.code"))
          .isNotEqualTo("none");

      // Jobs, retries and money, as the report says and the simulator charged.
      assertThat(counted(AnyCapObservability.JOBS, "outcome", "succeeded", "error.code", "none")).isEqualTo(12);
      assertThat(counted(AnyCapObservability.JOBS)).isEqualTo(report.total());
      assertThat(counted(AnyCapObservability.RETRIES)).isEqualTo(report.retries()).isEqualTo(3);
      assertThat(counted(AnyCapObservability.CREDITS, "billing", "confirmed"))
          .isEqualTo(report.credits().doubleValue()).isEqualTo(c.creditsCharged() - 1);
      assertThat(counted(AnyCapObservability.CREDITS, "billing", "possibly_billed"))
          .isEqualTo(report.possiblyBilled().credits().doubleValue()).isEqualTo(1);
      assertThat(counted(AnyCapObservability.COST, "billing", "confirmed"))
          .isCloseTo(report.estimatedCostUsd().doubleValue(), within(1e-9)).isPositive();
      assertThat(counted(AnyCapObservability.COST, "billing", "possibly_billed"))
          .isCloseTo(report.possiblyBilled().usd().doubleValue(), within(1e-9)).isPositive();
      assertThat(counted(AnyCapObservability.POSSIBLY_BILLED, "model", "nano-banana-2")).isEqualTo(1);
      assertThat(c.imagesGenerated()).isEqualTo(13);

      // Latencies, with percentile histograms.
      Timer generate = meters.get(AnyCapObservability.GENERATE).tag("model", "nano-banana-2").timer();
      assertThat(generate.count()).isEqualTo(12);
      Timer download = meters.get(AnyCapObservability.DOWNLOAD).timer();
      assertThat(download.count()).isEqualTo(12);
      assertThat(histograms).containsExactlyInAnyOrder(AnyCapObservability.GENERATE, AnyCapObservability.DOWNLOAD);

      // Gauges read the pipeline itself.
      assertThat(meters.get(AnyCapObservability.CONCURRENCY).gauge().value()).isEqualTo(3);
      assertThat(meters.get(AnyCapObservability.JOBS_ACTIVE).gauge().value()).isZero();
      assertThat(meters.get(AnyCapObservability.PACE).gauge().value()).isNaN();
      assertThat(meters.find(AnyCapObservability.PAUSES).timer()).isNull();
    }
  }

  @Test
  void a429Storm_showsAs429sPausesAndAFallingPace() {
    List<Double> paceAtEachChange = new CopyOnWriteArrayList<>();
    // Registered after the meters' listener, so each pause is counted when the gauge is read.
    PipelineListener gaugeReader = new PipelineListener() {
      @Override
      public void onPaceChanged(RequestPace pace) {
        paceAtEachChange.add(meters.get(AnyCapObservability.PACE).gauge().value());
      }
    };
    // 20 generates a second in bursts of 5: 16 jobs at once run into it at the start.
    try (AnyCapSimulator sim = AnyCapSimulator.builder().rateLimit(20, 5).latency(Duration.ofMillis(20)).seed(22).start();
        ImagePipeline pipeline = ImagePipeline.builder()
            .client(sim.clientBuilder().exchangeListener(observability.exchangeListener()).build())
            .outputRoot(dir)
            .concurrency(16)
            .retry(Retry.exponential(30, Duration.ofMillis(100), Duration.ofSeconds(5)))
            .listener(observability.pipelineListener())
            .listener(gaugeReader)
            .build()) {
      observability.bind(pipeline);
      double before = meters.get(AnyCapObservability.PACE).gauge().value();
      BatchReport report = pipeline.run(JobSource.of(jobs(40)));
      SimulatorCounters c = sim.counters();

      assertThat(report.succeeded()).isEqualTo(40);
      long limited = c.requests(SimulatorCounters.GENERATE, 429);
      assertThat(limited).isPositive();
      assertThat(requests(GENERATE, "429")).isEqualTo(limited);
      assertThat(meters.get(AnyCapObservability.CLIENT_REQUESTS).tag("status", "429").timer().getId().getTag("error.code"))
          .isEqualTo("RATE_LIMITED");
      assertThat(counted(AnyCapObservability.RETRIES, "exception", "RateLimitException")).isEqualTo(limited);

      Timer pauses = meters.get(AnyCapObservability.PAUSES).timer();
      assertThat(pauses.count()).isBetween(1L, limited);
      assertThat(pauses.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isPositive();

      // Unpaced before the first 429, the pace fell to a finite rate. (At the first pause when
      // the 429 came in the opening burst; when it came after the first answers, as on a busy
      // machine, that pause holds every request unpaced and the next sets the pace.)
      assertThat(before).isNaN();
      assertThat(paceAtEachChange).isNotEmpty().anySatisfy(pace -> assertThat(pace).isFinite().isPositive());
    }
  }
}

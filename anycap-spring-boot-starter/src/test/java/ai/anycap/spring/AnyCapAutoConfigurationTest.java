package ai.anycap.spring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.AnyCapClient;
import ai.anycap.micrometer.AnyCapObservability;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.SkipReason;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Latency;
import ai.anycap.testkit.SimulatorCounters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;

/**
 * The auto-configuration in contexts made by {@link ApplicationContextRunner}: what it makes from
 * properties, what it makes when Micrometer and Actuator are there, and that every bean backs off
 * for the application's own. Every context talks to one simulator on loopback.
 */
class AnyCapAutoConfigurationTest {

  private static final AnyCapSimulator SIM = AnyCapSimulator.builder().seed(41).start();

  @TempDir Path dir;

  @AfterAll
  static void stop() {
    SIM.close();
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnyCapAutoConfiguration.class, AnyCapActuatorAutoConfiguration.class,
            AnyCapRedisAutoConfiguration.class))
        .withPropertyValues(
            "anycap.api-key=" + AnyCapSimulator.DEFAULT_CLIENT_KEY,
            "anycap.api-endpoint=" + SIM.baseUri(),
            "anycap.pipeline.output-root=" + dir);
  }

  private ApplicationContextRunner withMicrometer(ApplicationContextRunner r) {
    return r.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
        ObservationAutoConfiguration.class));
  }

  private ApplicationContextRunner withActuator(ApplicationContextRunner r) {
    return r.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class, EndpointAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
            HealthEndpointAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
            EnvironmentEndpointAutoConfiguration.class, ConfigurationPropertiesReportEndpointAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=*",
            "management.endpoint.env.show-values=always", "management.endpoint.configprops.show-values=always",
            "management.endpoint.health.probes.enabled=true");
  }

  static List<ImageJob> jobs(int n) {
    List<ImageJob> jobs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      jobs.add(ImageJob.builder().id("job-" + i).prompt("a lamp, number " + i).outputKey("lamp-" + i + ".png").build());
    }
    return jobs;
  }

  @Test
  void fromProperties_aClientAndAPipeline() {
    runner().withPropertyValues("anycap.generate-timeouts.seedream-5=7m", "anycap.request-timeout=5s",
            "anycap.pipeline.concurrency=3", "anycap.pipeline.budget.credits=100")
        .run(context -> {
          AnyCapClient client = context.getBean(AnyCapClient.class);
          assertThat(client.endpoint()).isEqualTo(SIM.baseUri());
          assertThat(client.generateTimeout("seedream-5")).isEqualTo(Duration.ofMinutes(7));
          assertThat(client.generateTimeout("nano-banana-2")).isEqualTo(Duration.ofMinutes(2));
          ImagePipeline pipeline = context.getBean(ImagePipeline.class);
          assertThat(pipeline.concurrency()).isEqualTo(3);
          assertThat(context).doesNotHaveBean(AnyCapObservability.class);
          assertThat(context.getBean(AnyCapProperties.class).toString()).doesNotContain(AnyCapSimulator.DEFAULT_CLIENT_KEY);
        });
  }

  @Test
  void withoutAKey_theContextFails_namingTheVariableAndTheProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnyCapAutoConfiguration.class))
        .withPropertyValues("anycap.api-endpoint=" + SIM.baseUri())
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().hasMessageContaining("ANYCAP_API_KEY"));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnyCapAutoConfiguration.class))
        .withPropertyValues("anycap.api-endpoint=" + SIM.baseUri())
        .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining("anycap.api-key"));
  }

  @Test
  void aBudgetInCreditsAndDollars_isRefused() {
    runner().withPropertyValues("anycap.pipeline.budget.credits=10", "anycap.pipeline.budget.usd=1")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("anycap.pipeline.budget: set credits or usd, not both"));
  }

  @Test
  void everyBean_backsOffForTheApplicationsOwn() {
    AnyCapClient own = SIM.clientBuilder().build();
    ImagePipeline ownPipeline = ImagePipeline.builder().client(own).outputRoot(dir).concurrency(2).build();
    AnyCapObservability ownObservability = AnyCapObservability.of(new SimpleMeterRegistry());
    AnyCapHealthIndicator ownHealth = new AnyCapHealthIndicator(own, Duration.ZERO, java.time.Clock.systemUTC());
    withActuator(withMicrometer(runner()))
        .withBean(AnyCapClient.class, () -> own)
        .withBean(ImagePipeline.class, () -> ownPipeline)
        .withBean(AnyCapObservability.class, () -> ownObservability)
        .withBean("anycapHealthIndicator", AnyCapHealthIndicator.class, () -> ownHealth)
        .run(context -> {
          assertThat(context).getBean(AnyCapClient.class).isSameAs(own);
          assertThat(context).getBean(ImagePipeline.class).isSameAs(ownPipeline);
          assertThat(context).getBean(AnyCapObservability.class).isSameAs(ownObservability);
          assertThat(context).getBean(AnyCapHealthIndicator.class).isSameAs(ownHealth);
        });
    runner().withPropertyValues("anycap.pipeline.enabled=false")
        .run(context -> assertThat(context).hasSingleBean(AnyCapClient.class).doesNotHaveBean(ImagePipeline.class));
  }

  @Test
  void withMicrometer_theClientAndPipelineAreMeasured() {
    withMicrometer(runner()).run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      assertThat(context).hasSingleBean(AnyCapObservability.class);
      SIM.resetCounters();
      BatchReport report = context.getBean(ImagePipeline.class).run(JobSource.of(jobs(3)));

      assertThat(report.succeeded()).isEqualTo(3);
      assertThat(meters.get(AnyCapObservability.CLIENT_REQUESTS).tag("endpoint", "POST /v1/image/generate")
          .tag("status", "200").timer().count()).isEqualTo(SIM.counters().requests(SimulatorCounters.GENERATE, 200));
      assertThat(meters.get(AnyCapObservability.JOBS).tag("outcome", "succeeded").counter().count()).isEqualTo(3);
      assertThat(meters.get(AnyCapObservability.CONCURRENCY).gauge().value()).isEqualTo(4);
    });
  }

  @Test
  void theHealthIndicator_callsStatusOncePerTimeToLive_andStaysOutOfLiveness() {
    withActuator(runner()).run(context -> {
      AnyCapHealthIndicator health = context.getBean(AnyCapHealthIndicator.class);
      SIM.resetCounters();
      Health first = health.health();
      Health second = health.health();

      assertThat(first.getStatus()).isEqualTo(Status.UP);
      assertThat(first.getDetails()).containsEntry("endpoint", SIM.baseUri().toString());
      assertThat(second).isSameAs(first);
      assertThat(SIM.counters().requests(SimulatorCounters.STATUS)).isEqualTo(1);
      HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
      assertThat(groups.get("liveness").isMember("anycap")).isFalse();
      assertThat(groups.getPrimary().isMember("anycap")).isTrue();
    });
  }

  @Test
  void theApiKey_isMaskedInEnvAndConfigprops() {
    withActuator(runner()).run(context -> {
      EnvironmentEndpoint env = context.getBean(EnvironmentEndpoint.class);
      Object shown = env.environmentEntry("anycap.api-key").getProperty().getValue();
      assertThat(shown).isEqualTo("******");
      assertThat(env.environmentEntry("anycap.api-endpoint").getProperty().getValue()).isEqualTo(SIM.baseUri().toString());

      ConfigurationPropertiesReportEndpoint configprops = context.getBean(ConfigurationPropertiesReportEndpoint.class);
      var anycap = configprops.configurationProperties().getContexts().values().stream()
          .flatMap(c -> c.getBeans().values().stream())
          .filter(b -> "anycap".equals(b.getPrefix()))
          .findFirst().orElseThrow();
      assertThat(anycap.getProperties()).containsEntry("apiKey", "******")
          .containsEntry("apiEndpoint", SIM.baseUri().toString());
      assertThat(anycap.getProperties().toString()).doesNotContain(AnyCapSimulator.DEFAULT_CLIENT_KEY);
    });
  }

  @Test
  void theConfigurationMetadata_describesEveryProperty() throws Exception {
    String metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json")
        .getContentAsString(StandardCharsets.UTF_8);
    assertThat(metadata).contains("\"anycap.api-key\"", "\"anycap.api-endpoint\"", "\"anycap.generate-timeouts\"",
        "\"anycap.pipeline.concurrency\"", "\"anycap.pipeline.budget.usd\"", "\"anycap.pipeline.retry.max-attempts\"",
        "\"anycap.redis.uri\"", "\"anycap.health.cache-time-to-live\"", "the most jobs in flight at once");
  }

  @Test
  void closingTheContext_endsARunningBatchGracefully_everyEntryCounted() throws Exception {
    try (AnyCapSimulator slow = AnyCapSimulator.builder().latency(Latency.fixed(Duration.ofMillis(200))).seed(42).start()) {
      CompletableFuture<BatchReport> batch = new CompletableFuture<>();
      runner().withPropertyValues("anycap.api-endpoint=" + slow.baseUri(), "anycap.pipeline.concurrency=2")
          .run(context -> {
            context.getBean(ImagePipeline.class).runAsync(JobSource.of(jobs(20))).whenComplete((r, e) -> {
              if (e != null) {
                batch.completeExceptionally(e);
              } else {
                batch.complete(r);
              }
            });
            slow.awaitCounters(c -> c.requests(SimulatorCounters.GENERATE) >= 2, Duration.ofSeconds(30));
          });
      // The context is closed: the pipeline stopped taking jobs and let the running ones end.
      BatchReport report = batch.get(30, TimeUnit.SECONDS);
      assertThat(report.cancelled()).isTrue();
      assertThat(report.total()).isEqualTo(20);
      assertThat(report.succeeded()).isPositive();
      assertThat(report.succeeded() + report.skipped(SkipReason.CANCELLED)).isEqualTo(20);
      assertThat(slow.counters().inFlight()).isZero();
      assertThat(report.succeeded()).isEqualTo(slow.counters().requests(SimulatorCounters.GENERATE, 200));
    }
  }
}

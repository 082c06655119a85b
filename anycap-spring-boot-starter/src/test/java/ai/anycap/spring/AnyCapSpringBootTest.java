package ai.anycap.spring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.AnyCapClient;
import ai.anycap.micrometer.AnyCapObservability;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobSource;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring Boot application with only the starter, Actuator's and Micrometer's auto-configuration
 * and properties: it makes an {@link AnyCapClient}, runs a 10-job batch against the simulator, and
 * its health endpoint reports the simulator up, then down once it stops. The one
 * {@code @SpringBootTest} of the build (contexts are slow; the rest use ApplicationContextRunner).
 */
@SpringBootTest(classes = AnyCapSpringBootTest.Application.class,
    properties = {"anycap.health.cache-time-to-live=0s", "management.endpoint.health.show-details=always"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnyCapSpringBootTest {

  private static final AnyCapSimulator SIM = AnyCapSimulator.builder().seed(51).start();

  @TempDir static Path output;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Application {}

  @DynamicPropertySource
  static void anycap(DynamicPropertyRegistry registry) {
    registry.add("anycap.api-key", () -> AnyCapSimulator.DEFAULT_CLIENT_KEY);
    registry.add("anycap.api-endpoint", () -> SIM.baseUri().toString());
    registry.add("anycap.pipeline.output-root", () -> output.toString());
    registry.add("anycap.pipeline.concurrency", () -> "4");
  }

  @AfterAll
  static void stop() {
    SIM.close();
  }

  @Autowired AnyCapClient client;
  @Autowired ImagePipeline pipeline;
  @Autowired MeterRegistry meters;
  @Autowired HealthEndpoint health;

  @Test
  @Order(1)
  void aTenJobBatch_runsOnTheAutoConfiguredPipeline_andIsMeasured() {
    BatchReport report = pipeline.run(JobSource.of(AnyCapAutoConfigurationTest.jobs(10)));

    SimulatorCounters c = SIM.counters();
    assertThat(client.endpoint()).isEqualTo(SIM.baseUri());
    assertThat(report.succeeded()).isEqualTo(10);
    assertThat(c.imagesGenerated()).isEqualTo(10);
    assertThat(c.requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(10);
    assertThat(output.resolve("lamp-10.png")).satisfies(p -> assertThat(Files.size(p)).isPositive());
    assertThat(meters.get(AnyCapObservability.JOBS).tag("outcome", "succeeded").counter().count()).isEqualTo(10);
    assertThat(meters.get(AnyCapObservability.CREDITS).tag("billing", "confirmed").counter().count())
        .isEqualTo(c.creditsCharged());
    assertThat(meters.get(AnyCapObservability.CLIENT_REQUESTS).tag("endpoint", "POST /v1/image/generate").timer().count())
        .isEqualTo(c.requests(SimulatorCounters.GENERATE));
  }

  @Test
  @Order(2)
  void theHealthEndpoint_reportsTheSimulatorUp_thenDownOnceItStops() {
    assertThat(health.healthForPath("anycap").getStatus()).isEqualTo(Status.UP);
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);

    SIM.close();

    assertThat(health.healthForPath("anycap").getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
  }
}

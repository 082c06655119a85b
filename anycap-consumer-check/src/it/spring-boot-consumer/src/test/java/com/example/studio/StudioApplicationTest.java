package com.example.studio;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import redis.embedded.RedisServer;

/**
 * The service starts against the simulator and a redis-server on loopback, with Boot's managed
 * versions of everything: a batch runs, the Redis worker takes a queued job, the health indicator
 * says up, and the meters count both.
 */
class StudioApplicationTest {

  @Test
  void theServiceStarts_runsABatch_andWorksTheQueue() throws Exception {
    RedisServer redis = RedisServer.newRedisServer().port(freePort()).bind("127.0.0.1").build();
    redis.start();
    Path output = Files.createTempDirectory("studio");
    try (AnyCapSimulator anycap = AnyCapSimulator.create();
         ConfigurableApplicationContext context = new SpringApplication(StudioApplication.class).run(
             "--anycap.api-key=" + AnyCapSimulator.DEFAULT_CLIENT_KEY,
             "--anycap.api-endpoint=" + anycap.baseUri(),
             "--anycap.pipeline.output-root=" + output,
             "--anycap.redis.uri=redis://127.0.0.1:" + redis.ports().get(0),
             "--spring.main.web-application-type=none")) {
      BatchReport report = context.getBean(StudioApplication.Covers.class).render(List.of("dune", "emma"))
          .get(60, TimeUnit.SECONDS);
      assertThat(report.succeeded()).isEqualTo(2);

      context.getBean(RedisJobQueue.class).enqueueAll(JobSource.of(List.of(
          ImageJob.builder().id("queued").prompt("A book cover for a queued title").outputKey("queued.png").build())));
      anycap.awaitCounters(c -> c.imagesGenerated() == 3, java.time.Duration.ofSeconds(60));

      assertThat(context.getBean(HealthEndpoint.class).healthForPath("anycap").getStatus()).isEqualTo(Status.UP);
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      assertThat(meters.get("anycap.client.requests").tag("endpoint", "POST /v1/image/generate").timer().count())
          .isEqualTo(3);
    } finally {
      redis.stop();
    }
    assertThat(output.resolve("queued.png")).exists();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

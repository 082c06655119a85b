package ai.anycap.spring;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import redis.embedded.RedisServer;

/**
 * With {@code anycap.redis.uri}, the application works the queue from startup until shutdown, on
 * a real redis-server (on loopback) and the Lettuce version Spring Boot manages.
 */
class RedisWorkerTest {

  @TempDir Path dir;

  @Test
  void aWorker_takesQueuedJobs_andSettlesThemBeforeTheContextCloses() throws Exception {
    RedisServer redis = RedisServer.newRedisServer().port(freePort()).bind("127.0.0.1").build();
    redis.start();
    String uri = "redis://127.0.0.1:" + redis.ports().get(0);
    List<JobResult> results = new CopyOnWriteArrayList<>();
    CountDownLatch finished = new CountDownLatch(3);
    PipelineListener listener = new PipelineListener() {
      @Override
      public void onJobFinished(JobResult result) {
        results.add(result);
        finished.countDown();
      }
    };
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(61).start()) {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(AnyCapAutoConfiguration.class, AnyCapRedisAutoConfiguration.class))
          .withPropertyValues("anycap.api-key=" + AnyCapSimulator.DEFAULT_CLIENT_KEY, "anycap.api-endpoint=" + sim.baseUri(),
              "anycap.pipeline.output-root=" + dir, "anycap.redis.uri=" + uri, "anycap.redis.namespace=shop",
              "anycap.redis.worker-name=worker-1")
          .withBean(PipelineListener.class, () -> listener)
          .run(context -> {
            context.getBean(RedisJobQueue.class).enqueueAll(JobSource.of(AnyCapAutoConfigurationTest.jobs(3)));
            assertThat(finished.await(60, TimeUnit.SECONDS)).as("3 jobs worked").isTrue();
          });
      // Closed: the worker settled its jobs with the queue before the pipeline and the queue went.
      assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r).isInstanceOf(JobResult.Succeeded.class));
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 200)).isEqualTo(3);
      try (RedisJobQueue queue = RedisJobQueue.builder().redisUri(uri).namespace("shop").build()) {
        assertThat(queue.backlog()).isZero();
      }

      // The application's own queue wins, and an application that only enqueues has no worker.
      RedisJobQueue own = RedisJobQueue.builder().redisUri(uri).namespace("own").build();
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(AnyCapAutoConfiguration.class, AnyCapRedisAutoConfiguration.class))
          .withPropertyValues("anycap.api-key=" + AnyCapSimulator.DEFAULT_CLIENT_KEY, "anycap.api-endpoint=" + sim.baseUri(),
              "anycap.pipeline.output-root=" + dir, "anycap.redis.uri=" + uri, "anycap.redis.worker=false")
          .withBean(RedisJobQueue.class, () -> own)
          .run(context -> {
            assertThat(context).getBean(RedisJobQueue.class).isSameAs(own);
            assertThat(context).doesNotHaveBean("anycapQueueWorker");
          });
    } finally {
      redis.stop();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

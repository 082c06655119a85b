package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The service's one path through every artifact: a job goes onto a Redis queue (a real
 * redis-server on loopback), a worker takes it, generates it on the AnyCap simulator and uploads
 * it through S3Sink to S3Mock in this JVM, on the AWS SDK's netty transport beside Lettuce's netty.
 */
class ShopImagesTest {

  @RegisterExtension
  static final S3MockExtension S3 = S3MockExtension.builder()
      .withSecureConnection(false)
      .withProperty("server.address", "127.0.0.1")
      .withProperty("spring.main.sources", S3MockOnLoopback.class.getName())
      .silent()
      .build();

  @TempDir Path output;

  @Test
  void aQueuedJobIsGeneratedByAWorkerAndUploadedToS3() throws Exception {
    RedisServer redis = RedisServer.newRedisServer().port(freePort()).bind("127.0.0.1").build();
    redis.start();
    try (AnyCapSimulator anycap = AnyCapSimulator.create();
         S3AsyncClient s3 = S3AsyncClient.builder()
             .region(Region.US_EAST_1)
             .endpointOverride(URI.create("http://127.0.0.1:" + S3.getHttpPort()))
             .forcePathStyle(true)
             .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("shop", "shop-secret")))
             .build();
         RedisJobQueue queue = ShopImages.queue("redis://127.0.0.1:" + redis.ports().get(0))) {
      s3.createBucket(b -> b.bucket("shop-images")).join();
      queue.enqueueAll(JobSource.of(List.of(ImageJob.builder()
          .id("mug-1").template("product").value("name", "Mug").outputKey("mug-1.png").build())));

      CompletableFuture<JobResult> finished = new CompletableFuture<>();
      PipelineListener listener = new PipelineListener() {
        @Override
        public void onJobFinished(JobResult result) {
          finished.complete(result);
        }
      };
      // The pipeline closes first: it settles the job with the queue before the consumer goes.
      try (QueueConsumer consumer = queue.consumer("worker-1");
           ImagePipeline worker = ShopImages.worker(anycap.client(), s3, "shop-images", output, listener)) {
        CompletableFuture<BatchReport> work = worker.work(consumer);
        JobResult result = finished.get(60, TimeUnit.SECONDS);
        work.cancel(true);

        JobResult.Succeeded done = assertInstanceOf(JobResult.Succeeded.class, result, result::toString);
        assertEquals("http://127.0.0.1:" + S3.getHttpPort() + "/shop-images/mug-1.png",
            done.receipts().get(0).location());
      }

      assertEquals(0, queue.backlog(), "the job was settled and left the queue");
      byte[] uploaded = s3.getObject(b -> b.bucket("shop-images").key("mug-1.png"),
          AsyncResponseTransformer.toBytes()).join().asByteArray();
      assertArrayEquals(Files.readAllBytes(output.resolve("mug-1.png")), uploaded);
      assertEquals(1, anycap.counters().imagesGenerated());
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

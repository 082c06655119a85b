package ai.anycap.redis;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.QueuedJob;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A worker in a JVM of its own, for a test to kill with SIGKILL while it holds jobs: it runs an
 * {@link ImagePipeline} on a {@link RedisJobQueue} consumer, against a simulator whose downloads
 * of its images crawl, so each job it takes stays in flight, unacknowledged, after its image was
 * generated (and paid for). It prints {@value #HOLDING} and the job id to stdout once the queue
 * has kept the job's generate answer, so that the test knows, without guessing at times, when to
 * kill it. It never ends by itself; it halts when its stdin closes, so it cannot outlive the test
 * JVM that started it, however that one ends.
 *
 * <p>Arguments: Redis URI, namespace, visibility timeout in milliseconds, concurrency, output
 * directory. The AnyCap endpoint and key come from {@code ANYCAP_API_ENDPOINT} and {@code
 * ANYCAP_API_KEY}, as for any deployed worker.
 */
public final class ChildWorker {

  static final String HOLDING = "child-worker holding ";
  static final String NAME = "child";

  private ChildWorker() {}

  public static void main(String[] args) throws Exception {
    Thread orphanGuard = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // nothing is sent; the read returns -1 once the parent is gone
        }
      } catch (IOException e) {
        // the parent is gone all the same
      }
      Runtime.getRuntime().halt(3);
    }, "orphan-guard");
    orphanGuard.setDaemon(true);
    orphanGuard.start();

    RedisJobQueue queue = RedisJobQueue.builder()
        .redisUri(args[0])
        .namespace(args[1])
        .visibilityTimeout(Duration.ofMillis(Long.parseLong(args[2])))
        .build();
    ImagePipeline pipeline = ImagePipeline.builder()
        .client(AnyCapClient.fromEnv())
        .templates(QueueFixtures.TEMPLATES)
        .concurrency(Integer.parseInt(args[3]))
        .outputRoot(Path.of(args[4]))
        .build();
    QueueConsumer queued = queue.consumer(NAME);
    QueueConsumer consumer = new QueueConsumer() {
      @Override
      public List<QueuedJob> take(int max, Duration wait) {
        return queued.take(max, wait);
      }

      @Override
      public void generated(QueuedJob job, GeneratedImages images) {
        queued.generated(job, images); // in Redis now, before the download starts
        System.out.println(HOLDING + job.job().id());
        System.out.flush();
      }

      @Override
      public void settle(QueuedJob job, JobResult result) {
        queued.settle(job, result);
      }

      @Override
      public void close() {
        queued.close();
      }
    };
    pipeline.work(consumer).join();
  }
}

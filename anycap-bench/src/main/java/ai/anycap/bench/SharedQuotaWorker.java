package ai.anycap.bench;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.testkit.AnyCapSimulator;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One worker of the shared-quota row, in a JVM of its own, as a worker on another machine would
 * be: an adaptive pipeline ({@link SharedQuota#RETRY}, {@link SharedQuota#CONCURRENCY} in flight)
 * working a {@link RedisJobQueue}, with the account's pace shared in that Redis or its own. It
 * warms up ({@link #warmUp}), prints {@value #READY} once its consumer is open, then works until its standard input closes
 * (the benchmark closes it when every job is in), so that it never outlives the benchmark.
 *
 * <p>Arguments: Redis URI, namespace, simulator base URI, worker name, {@code shared} or {@code
 * alone}.
 */
public final class SharedQuotaWorker {

  static final String READY = "READY";
  /** When a worker prints its opening's events: the opening burst and the search are over by then. */
  private static final long OPENING_SECONDS = 4;
  private static final int WARM_UP_JOBS = 50;

  private SharedQuotaWorker() {}

  /**
   * Runs the worker.
   *
   * @param args Redis URI, namespace, simulator URI, worker name, {@code shared} or {@code alone}
   * @throws IOException if the scratch directory cannot be made
   * @throws InterruptedException if interrupted while warming up
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    String redisUri = args[0];
    String namespace = args[1];
    URI simulator = URI.create(args[2]);
    String name = args[3];
    boolean shared = "shared".equals(args[4]);
    warmUp(redisUri, simulator, name, shared);
    Path out = Files.createTempDirectory("anycap-bench-shared-quota-" + name + "-");
    try (RedisJobQueue queue = RedisJobQueue.builder().redisUri(redisUri).namespace(namespace).build()) {
      ImagePipelineBuilder b = pipeline(simulator, out);
      PaceProbe probe = shared ? new PaceProbe(queue.sharedPace(namespace)) : null;
      if (probe != null) {
        b.sharedPace(probe);
        b.listener(new OpeningEvents(probe));
      }
      ImagePipeline pipeline = b.build();
      QueueConsumer consumer = queue.consumer(name);
      pipeline.work(consumer);
      System.out.println(READY);
      System.out.flush();
      long start = System.nanoTime();
      ScheduledExecutorService reports = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pace-report");
        t.setDaemon(true);
        return t;
      });
      if (probe != null) {
        reports.schedule(() -> System.out.println("opening:\n" + probe.opening()), OPENING_SECONDS, TimeUnit.SECONDS);
      }
      reports.scheduleAtFixedRate(() -> System.out.println(String.format(Locale.ROOT, "t=%.0f s pace %s %s",
          (System.nanoTime() - start) / 1e9, pipeline.pace(), probe == null ? "" : probe.line())), 5, 5, TimeUnit.SECONDS);
      while (System.in.read() >= 0) {
        // The benchmark closes our stdin when it is done with us.
      }
      reports.shutdownNow();
      pipeline.close();
      consumer.close();
    } finally {
      Scratch.delete(out);
    }
  }

  /** A worker's pipeline against the simulator, as the row sets it up, writing under {@code out}. */
  private static ImagePipelineBuilder pipeline(URI simulator, Path out) {
    return ImagePipeline.builder()
        .client(AnyCapClient.builder().endpoint(simulator).apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY).build())
        .concurrency(SharedQuota.CONCURRENCY)
        .retry(SharedQuota.RETRY)
        .outputRoot(out);
  }

  /**
   * Works {@value #WARM_UP_JOBS} jobs of {@link SharedQuota#WARM_UP_MODEL} through a queue, and
   * (when shared) a shared pace, of this worker's own, at a fixed quarter of {@link
   * SharedQuota#WARM_UP_RATE}: the client, pipeline, queue and shared-pace code this worker runs
   * is then compiled before the measured batch, and nothing of what the warm-up learns is left
   * where the measured batch would read it.
   */
  private static void warmUp(String redisUri, URI simulator, String name, boolean shared)
      throws IOException, InterruptedException {
    String namespace = "warm-up-" + name;
    Path out = Files.createTempDirectory("anycap-bench-shared-quota-warm-up-" + name + "-");
    try (RedisJobQueue queue = RedisJobQueue.builder().redisUri(redisUri).namespace(namespace).build()) {
      ImagePipelineBuilder b = pipeline(simulator, out)
          .defaultModel(SharedQuota.WARM_UP_MODEL)
          .rateLimit(SharedQuota.WARM_UP_RATE / SharedQuota.WORKERS);
      if (shared) {
        b.sharedPace(queue.sharedPace(namespace));
      }
      try (QueueConsumer consumer = queue.consumer(name); ImagePipeline pipeline = b.build()) { // the pipeline closes first
        queue.enqueueAll(Workload.literal(namespace, WARM_UP_JOBS));
        pipeline.work(consumer);
        while (queue.backlog() > 0) {
          Thread.sleep(50); // polled, as the benchmark polls the measured batch
        }
      }
    } finally {
      Scratch.delete(out);
    }
  }

  /**
   * Notes on the probe what the pipeline reports of the opening: each 429 (a retry scheduled for
   * it), each answer and each pace announced, beside the probe's claims and writes, so that the
   * workers' timelines can be laid side by side (they share one machine's wall clock).
   */
  private static final class OpeningEvents implements PipelineListener {
    private final PaceProbe probe;

    OpeningEvents(PaceProbe probe) {
      this.probe = probe;
    }

    @Override
    public void onRetryScheduled(ImageJob job, int attempt, Duration delay, Throwable cause) {
      probe.event(() -> "refused " + job.id() + " (" + cause.getClass().getSimpleName() + ")");
    }

    @Override
    public void onGenerated(ImageJob job, GeneratedImages answer, BigDecimal usd, Duration latency) {
      probe.event(() -> "answered " + job.id() + " after " + latency.toMillis() + " ms");
    }

    @Override
    public void onPaceChanged(RequestPace pace) {
      probe.event(() -> "pace " + pace);
    }
  }
}

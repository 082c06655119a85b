package ai.anycap.redis;

import static ai.anycap.redis.QueueFixtures.entries;
import static ai.anycap.redis.QueueFixtures.job;
import static ai.anycap.redis.QueueFixtures.jobs;
import static ai.anycap.redis.QueueFixtures.takeWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.JobPosition;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JobSource;
import ai.anycap.pipeline.QueueConsumer;
import ai.anycap.pipeline.QueuedJob;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.pipeline.SkipReason;
import ai.anycap.redis.QueueFixtures.Worker;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** RedisJobQueue against a real redis-server and the AnyCap simulator. */
class RedisJobQueueTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path redisDir;
  private static LocalRedis server;
  private static RedisClient inspector;
  private static StatefulRedisConnection<String, String> inspection;
  private static RedisCommands<String, String> redis;
  private static RedisEvents events;

  @TempDir Path out;
  private String namespace;
  private AnyCapSimulator sim;
  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    server = LocalRedis.start(redisDir);
    inspector = RedisClient.create(server.uri());
    inspection = inspector.connect();
    redis = inspection.sync();
    events = new RedisEvents(server.uri());
  }

  @AfterAll
  static void stopRedis() {
    events.close();
    inspection.close();
    inspector.shutdown();
    server.close();
  }

  @BeforeEach
  void setUp(TestInfo info) {
    namespace = info.getTestMethod().orElseThrow().getName();
    sim = AnyCapSimulator.builder().latency(Duration.ofMillis(30)).seed(7).start();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeAfter.size() - 1; i >= 0; i--) {
      closeAfter.get(i).close();
    }
    sim.close();
  }

  private RedisJobQueueBuilder queue() {
    return RedisJobQueue.builder().redisUri(server.uri()).namespace(namespace);
  }

  private RedisJobQueue open(RedisJobQueueBuilder b) {
    RedisJobQueue q = b.build();
    closeAfter.add(q);
    return q;
  }

  /** A consumer closed after the test. */
  private QueueConsumer consumer(RedisJobQueue q, String name) {
    QueueConsumer c = q.consumer(name);
    closeAfter.add(c);
    return c;
  }

  private Worker worker(RedisJobQueue q, String name, int concurrency, ImageSink... sinks) {
    return workerWith(q, name, concurrency, b -> {}, sinks);
  }

  private Worker workerWith(RedisJobQueue q, String name, int concurrency, Consumer<ImagePipelineBuilder> configure,
      ImageSink... sinks) {
    Worker w = new Worker(q, name, sim.client(), out, concurrency, configure, sinks);
    closeAfter.add(w);
    return w;
  }

  private Object state(RedisJobQueue q) {
    return "stream=" + redis.xlen(q.stream()) + " results=" + redis.xlen(q.resultsStream()) + " dead="
        + redis.xlen(q.deadLetterStream()) + " done=" + redis.scard(q.doneSet()) + " " + sim.counters();
  }

  // ----- the batch, end to end -----

  @Test
  void threeWorkersRunEveryJobExactlyOnce() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofSeconds(30)));
    int n = 60;
    assertThat(q.enqueueAll(JobSource.of(jobs("once", n)))).isEqualTo(n);
    assertThat(q.backlog()).isEqualTo(n);

    Worker a = worker(q, "a", 4);
    Worker b = worker(q, "b", 4);
    Worker c = worker(q, "c", 4);
    events.awaitEntries(q.resultsStream(), n, WAIT, () -> state(q));
    a.close();
    b.close();
    c.close();

    List<Map<String, String>> results = entries(redis, q.resultsStream());
    assertThat(results).hasSize(n);
    assertThat(results.stream().map(r -> r.get("id")).collect(Collectors.toSet()))
        .isEqualTo(jobs("once", n).stream().map(ImageJob::id).collect(Collectors.toSet()));
    assertThat(results).allSatisfy(r -> {
      assertThat(r.get("status")).isEqualTo("succeeded");
      assertThat(r.get("credits")).isEqualTo("1");
      assertThat(r.get("outputs")).contains(r.get("id") + ".png");
      assertThat(r.get("deliveries")).isEqualTo("1");
    });
    assertThat(results.stream().map(r -> r.get("worker")).distinct().count()).isGreaterThanOrEqualTo(2);
    assertThat(redis.scard(q.doneSet())).isEqualTo(n);
    assertThat(redis.xlen(q.stream())).isZero();
    assertThat(redis.xlen(q.deadLetterStream())).isZero();
    SimulatorCounters counters = sim.counters();
    assertThat(counters.imagesGenerated()).isEqualTo(n);
    assertThat(counters.duplicateGenerations()).isZero();
    assertThat(a.run).isCancelled();
  }

  @Test
  void jobsOfAWorkerThatDiesAreFinishedByTheOthers() throws InterruptedException {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofSeconds(2)));
    int n = 20;
    q.enqueueAll(JobSource.of(jobs("dies", n)));

    // Worker "doomed" makes two images and hangs in its sink with them; their calls' places go to
    // two more jobs, whose answers it keeps in Redis and which then wait behind the first two. Then
    // it dies without acknowledging any.
    CountDownLatch stuck = new CountDownLatch(2);
    CompletableFuture<SinkReceipt> never = new CompletableFuture<>();
    List<String> doomedJobs = new CopyOnWriteArrayList<>();
    ImageSink hang = new ImageSink() {
      @Override
      public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
        doomedJobs.add(image.job().id());
        stuck.countDown();
        return never;
      }

      @Override
      public String name() {
        return "hang";
      }
    };
    Worker doomed = worker(q, "doomed", 2, hang);
    try {
      assertThat(stuck.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as(() -> "two jobs stuck in the doomed worker; " + state(q)).isTrue();
      String answers = q.stream() + ":answer:*";
      events.awaitChange(List.of(answers), "the answers of the doomed worker's four jobs",
          () -> redis.keys(answers).size() == 4, WAIT, () -> state(q));
      doomed.consumer.close(); // its heartbeat stops and its connections go, as when its JVM dies

      worker(q, "b", 4);
      worker(q, "c", 4);
      events.awaitEntries(q.resultsStream(), n, WAIT, () -> state(q));

      List<Map<String, String>> results = entries(redis, q.resultsStream());
      assertThat(results.stream().map(r -> r.get("id")).distinct().count()).isEqualTo(n);
      assertThat(results).hasSize(n);
      assertThat(results).noneMatch(r -> r.get("worker").equals("doomed"));
      assertThat(results.stream().filter(r -> doomedJobs.contains(r.get("id"))))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.get("deliveries")).isEqualTo("2"));
      assertThat(redis.scard(q.doneSet())).isEqualTo(n);
      assertThat(redis.xlen(q.stream())).isZero();
      // The dead worker had been answered for its two images (and paid), and had them in hand: the
      // queue kept those answers, and the workers that took the jobs over downloaded the same images.
      assertThat(sim.counters().duplicateGenerations()).isZero();
      assertThat(sim.counters().imagesGenerated()).isEqualTo(n);
      assertThat(redis.keys(q.stream() + ":answer:*")).as("answers go when their jobs settle").isEmpty();
    } finally {
      never.complete(SinkReceipt.of("hang", "nowhere")); // so that a failure above ends, instead of close() waiting for it
    }

    // The dead worker wakes up late: its settle goes nowhere, nothing is published twice.
    doomed.run.cancel(true);
    doomed.pipeline.close();
    assertThat(redis.xlen(q.resultsStream())).isEqualTo(n);
  }

  @Test
  void jobsOfAWorkerKilledMidDownloadAreFinishedByTheOthers_withoutPayingAgain() throws Exception {
    // The child must bring the key, as a worker on another machine would. Its two downloads (the
    // first two the simulator serves) crawl at a byte a second; their calls' places went to two
    // more jobs, answered and waiting behind them for a place to download in. It is killed then:
    // four jobs whose generate answers came (and were billed), none of whose images was saved.
    sim.close();
    String key = "ak_test_child_worker";
    sim = AnyCapSimulator.builder().apiKey(key).latency(Duration.ofMillis(30)).seed(11)
        .fault(Fault.slowDownload(1).onRequests(1, 2)).start();
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofSeconds(1)));
    int n = 20;
    int concurrency = 2;
    int held = 2 * concurrency;
    q.enqueueAll(JobSource.of(jobs("killed", n)));

    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
        ChildWorker.class.getName(),
        server.uri(), namespace, "1000", Integer.toString(concurrency), out.resolve("child").toString())
        .redirectErrorStream(true);
    pb.environment().put(AnyCapClient.ENDPOINT_ENV, sim.baseUri().toString());
    pb.environment().put(AnyCapClient.API_KEY_ENV, key);
    Process child = pb.start();
    // Should this JVM end before the finally below, the child goes with it.
    Thread reaper = new Thread(child::destroyForcibly, "kill-child-worker");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      ChildOutput output = new ChildOutput(child);
      Set<String> heldByChild = output.awaitHolding(held, WAIT);
      // Its downloads have begun (so they are the simulator's first two, the slow ones) before
      // any other worker starts.
      sim.awaitCounters(c -> c.requests(SimulatorCounters.DOWNLOAD, 200) >= concurrency, WAIT);

      // The others start while it still holds its jobs; then it dies, unacknowledged, mid-download.
      worker(q, "b", 4);
      worker(q, "c", 4);
      child.destroyForcibly();
      assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

      events.awaitEntries(q.resultsStream(), n, WAIT, () -> state(q) + "; child: " + output.lines());
      List<Map<String, String>> results = entries(redis, q.resultsStream());
      assertThat(results).hasSize(n);
      assertThat(results.stream().map(r -> r.get("id")).collect(Collectors.toSet()))
          .isEqualTo(jobs("killed", n).stream().map(ImageJob::id).collect(Collectors.toSet()));
      assertThat(results).noneMatch(r -> r.get("worker").equals(ChildWorker.NAME));
      assertThat(results.stream().filter(r -> heldByChild.contains(r.get("id"))))
          .hasSize(held)
          .allSatisfy(r -> assertThat(r.get("deliveries")).isEqualTo("2"));
      assertThat(results.stream().filter(r -> !heldByChild.contains(r.get("id"))))
          .allSatisfy(r -> assertThat(r.get("deliveries")).isEqualTo("1"));
      assertThat(redis.scard(q.doneSet())).isEqualTo(n);
      assertThat(redis.xlen(q.stream())).isZero();
      assertThat(redis.xpending(q.stream(), q.group()).getCount()).isZero();
      assertThat(redis.xlen(q.deadLetterStream())).isZero();
      // No image was generated twice. Before the queue kept each generate answer ahead of its
      // download, the images the dead worker had been answered for were generated (and paid for)
      // again by the workers that took its jobs over: duplicateGenerations was `held`. Now those
      // workers find the answers in Redis and download the same images.
      SimulatorCounters counters = sim.counters();
      assertThat(counters.duplicateGenerations()).isZero();
      assertThat(counters.imagesGenerated()).isEqualTo(n);
      assertThat(counters.requests(SimulatorCounters.GENERATE, 401)).isZero();
      assertThat(redis.keys(q.stream() + ":answer:*")).as("answers go when their jobs settle").isEmpty();
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
  }

  /** A child process's output, read as it comes by a thread of its own. */
  private static final class ChildOutput {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> holding = new LinkedBlockingQueue<>();

    ChildOutput(Process child) {
      Thread pump = new Thread(() -> {
        try (BufferedReader r = child.inputReader(StandardCharsets.UTF_8)) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
            int at = line.indexOf(ChildWorker.HOLDING);
            if (at >= 0) {
              holding.add(line.substring(at + ChildWorker.HOLDING.length()).trim());
            }
          }
        } catch (IOException e) {
          // the child is gone
        }
      }, "child-worker-output");
      pump.setDaemon(true);
      pump.start();
    }

    /** Waits until the child has said it holds {@code n} jobs; their ids. */
    Set<String> awaitHolding(int n, Duration timeout) throws InterruptedException {
      Set<String> ids = new java.util.LinkedHashSet<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (ids.size() < n) {
        String id = holding.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (id == null) {
          throw new AssertionError("the child worker held " + ids + " after " + timeout + "; it printed: " + lines);
        }
        ids.add(id);
      }
      return ids;
    }

    List<String> lines() {
      return List.copyOf(lines);
    }
  }

  @Test
  void jobsThatCannotSucceedEndInTheDeadLetterStream() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofSeconds(1)).maxDeliveries(3));
    List<ImageJob> all = new ArrayList<>(jobs("fine", 3));
    all.add(ImageJob.builder().id("no-template").template("no_such_template").value("x", "y")
        .outputKey("no-template.png").build());
    all.add(ImageJob.builder().id("refused").prompt("a model the server does not know").model("no-such-model")
        .outputKey("refused.png").build());
    q.enqueueAll(JobSource.of(all));

    worker(q, "w", 4);
    events.awaitEntries(Map.of(q.deadLetterStream(), 2L, q.resultsStream(), 3L), WAIT, () -> state(q));
    assertThat(redis.xlen(q.deadLetterStream())).isEqualTo(2);
    assertThat(redis.xlen(q.resultsStream())).isEqualTo(3);

    Map<String, Map<String, String>> dead = entries(redis, q.deadLetterStream()).stream()
        .collect(Collectors.toMap(e -> e.get("id"), e -> e));
    assertThat(dead.get("no-template"))
        .containsEntry("error_code", "INVALID_JOB")
        .containsEntry("deliveries", "1");
    assertThat(dead.get("no-template").get("error")).contains("no_such_template");
    assertThat(ImageJob.fromJson(dead.get("no-template").get("job")).id()).isEqualTo("no-template");
    assertThat(dead.get("refused"))
        .containsEntry("error_code", "IMAGE_INVALID_REQUEST")
        .containsEntry("deliveries", "3");
    assertThat(dead.get("refused").get("error")).contains("no-such-model");
    // Tried once per delivery, never generated.
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 400)).isEqualTo(3);
    assertThat(redis.xlen(q.stream())).isZero();
    assertThat(redis.sismember(q.doneSet(), "refused")).isFalse();
    assertThat(redis.scard(q.doneSet())).isEqualTo(3);
  }

  @Test
  void producerWaitsWhileTheStreamIsFull() throws Exception {
    RedisJobQueue q = open(queue().maxStreamLength(5).batchSize(1));
    int n = 12;
    ExecutorService producerThread = Executors.newSingleThreadExecutor();
    closeAfter.add(producerThread::shutdownNow);
    CompletableFuture<Long> producer =
        CompletableFuture.supplyAsync(() -> q.enqueueAll(JobSource.of(jobs("full", n))), producerThread);
    events.awaitChange(List.of(q.stream()), "the stream to fill", () -> q.backlog() == 5, WAIT, () -> state(q));
    assertThat(producer).isNotDone();

    AtomicLong longest = new AtomicLong();
    worker(q, "w", 2);
    // Checked on every change to the stream: each add, and each delete as a job finishes.
    events.awaitChange(List.of(q.stream(), q.resultsStream()), "all results", () -> {
      longest.accumulateAndGet(q.backlog(), Math::max);
      return redis.xlen(q.resultsStream()) == n;
    }, WAIT, () -> state(q));
    assertThat(producer.get(10, TimeUnit.SECONDS)).isEqualTo(n);
    assertThat(longest.get()).isLessThanOrEqualTo(5);
    assertThat(sim.counters().duplicateGenerations()).isZero();
  }

  @Test
  void stoppingAWorkerSettlesTheJobsItWasRunning() {
    RedisJobQueue q = open(queue());
    q.enqueueAll(JobSource.of(jobs("stop", 4)));
    Worker w = worker(q, "w", 4);
    sim.awaitCounters(c -> c.imagesGenerated() == 4, WAIT);

    w.close();

    assertThat(redis.xlen(q.resultsStream())).isEqualTo(4);
    assertThat(redis.xlen(q.stream())).isZero();
  }

  // ----- a worker's journal -----

  @Test
  void workerWithAJournalRecordsEachJobAndNeverRegeneratesOneItRecorded() throws Exception {
    Path journal = out.resolve("w-journal.jsonl");
    int n = 6;
    RedisJobQueue first = open(queue().namespace(namespace + "-first"));
    first.enqueueAll(JobSource.of(jobs("journal", n)));
    Worker w = workerWith(first, "w", 3, b -> b.journal(journal));
    events.awaitEntries(first.resultsStream(), n, WAIT, () -> state(first));
    w.close();

    List<JsonNode> lines = journalLines(journal);
    assertThat(lines).hasSize(n).allSatisfy(l -> assertThat(l.get("status").asText()).isEqualTo("succeeded"));
    assertThat(lines.stream().map(l -> l.get("id").asText()).collect(Collectors.toSet()))
        .isEqualTo(jobs("journal", n).stream().map(ImageJob::id).collect(Collectors.toSet()));

    // A rerun on a queue whose done set knows nothing of them (a new namespace), by the same
    // worker restarted with its journal, with two new jobs; and one of the old jobs held by a
    // worker that dies, so the restarted worker reclaims it.
    RedisJobQueue second = open(queue().namespace(namespace + "-second").visibilityTimeout(Duration.ofSeconds(1)));
    List<ImageJob> again = new ArrayList<>(jobs("journal", n));
    again.addAll(jobs("fresh", 2));
    second.enqueueAll(JobSource.of(again));
    QueueConsumer ghost = second.consumer("ghost");
    QueuedJob held = ghost.take(1, Duration.ZERO).get(0);
    assertThat(held.job().id()).isEqualTo("journal-1");
    ghost.close();
    workerWith(second, "w", 3, b -> b.journal(journal));
    events.awaitEntries(second.resultsStream(), n + 2, WAIT, () -> state(second));

    Map<String, Map<String, String>> results = entries(redis, second.resultsStream()).stream()
        .collect(Collectors.toMap(r -> r.get("id"), r -> r));
    assertThat(results).hasSize(n + 2);
    jobs("journal", n).forEach(j -> assertThat(results.get(j.id())).containsEntry("status", "already_done"));
    assertThat(results.get("journal-1")).containsEntry("deliveries", "2");
    assertThat(results.get("fresh-1")).containsEntry("status", "succeeded");
    assertThat(results.get("fresh-2")).containsEntry("status", "succeeded");
    assertThat(redis.scard(second.doneSet())).isEqualTo(n + 2);
    assertThat(redis.xlen(second.stream())).isZero();
    assertThat(sim.counters().imagesGenerated()).isEqualTo(n + 2);
    assertThat(sim.counters().duplicateGenerations()).isZero();
    // Only jobs that ran are journaled: the two new ones.
    assertThat(journalLines(journal)).hasSize(n + 2);
  }

  @Test
  void workerRedeliversAnImageItsJournalKeptInsteadOfRegeneratingIt() throws Exception {
    Path journal = out.resolve("w-journal.jsonl");
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofSeconds(1)).maxDeliveries(3));
    q.enqueueAll(JobSource.of(jobs("cms", 3)));
    // The sink refuses cms-2 the first time: the image is kept and journaled as undelivered.
    Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
    ImageSink flaky = new ImageSink() {
      @Override
      public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
        String id = image.job().id();
        if (calls.merge(id, 1, Integer::sum) == 1 && id.equals("cms-2")) {
          return CompletableFuture.failedFuture(new SinkException("cms", "cms is down", true));
        }
        return CompletableFuture.completedFuture(SinkReceipt.of("cms", "cms://" + id));
      }

      @Override
      public String name() {
        return "cms";
      }
    };
    workerWith(q, "w", 2, b -> b.journal(journal).sinkRetry(Retry.none()), flaky);
    events.awaitEntries(q.resultsStream(), 3, WAIT, () -> state(q));

    Map<String, Map<String, String>> results = entries(redis, q.resultsStream()).stream()
        .collect(Collectors.toMap(r -> r.get("id"), r -> r));
    assertThat(results.get("cms-2"))
        .containsEntry("status", "succeeded")
        .containsEntry("deliveries", "2")
        .containsEntry("credits", "0");
    assertThat(results.get("cms-2").get("receipts")).contains("cms://cms-2");
    assertThat(calls).containsEntry("cms-2", 2);
    assertThat(sim.counters().imagesGenerated()).isEqualTo(3);
    assertThat(sim.counters().duplicateGenerations()).isZero();
    List<JsonNode> lines = journalLines(journal);
    assertThat(lines).extracting(l -> l.get("id").asText() + " " + l.get("status").asText())
        .containsExactlyInAnyOrder("cms-1 succeeded", "cms-2 undelivered", "cms-2 succeeded", "cms-3 succeeded");
  }

  /** The journal's lines of jobs that ended, without the write-ahead lines of answers not yet downloaded. */
  private static List<JsonNode> journalLines(Path journal) throws java.io.IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(journal)) {
      if (!line.isBlank()) {
        JsonNode n = json.readTree(line);
        if (!n.get("status").asText().equals("generated")) {
          lines.add(n);
        }
      }
    }
    return lines;
  }

  // ----- one consumer, by hand -----

  @Test
  void heartbeatKeepsAJobFromOtherWorkersWhileItRuns() {
    Duration visibility = Duration.ofSeconds(1);
    RedisJobQueue q = open(queue().visibilityTimeout(visibility));
    q.enqueueAll(JobSource.of(List.of(job("slow"), job("orphan"))));
    QueueConsumer a = consumer(q, "a");
    QueueConsumer b = consumer(q, "b");

    QueuedJob slow = a.take(1, Duration.ofSeconds(1)).get(0);
    // b keeps asking for two and a half visibility timeouts, and gets only the job nobody holds.
    List<QueuedJob> taken = new ArrayList<>();
    long until = System.nanoTime() + visibility.multipliedBy(5).dividedBy(2).toNanos();
    while (System.nanoTime() < until) {
      taken.addAll(b.take(5, Duration.ofMillis(50)));
    }
    assertThat(taken).extracting(t -> t.job().id()).containsExactly("orphan");
    a.settle(slow, succeeded(slow.job()));
    assertThat(entries(redis, q.resultsStream()))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("id", "slow").containsEntry("deliveries", "1").containsEntry("worker", "a"));

    // b dies holding "orphan": a gets it once it has been idle for the visibility timeout.
    b.close();
    List<QueuedJob> reclaimed = takeWithin(a, 5, WAIT, () -> state(q));
    assertThat(reclaimed).singleElement().satisfies(r -> {
      assertThat(r.job().id()).isEqualTo("orphan");
      assertThat(r.deliveries()).isEqualTo(2);
    });
  }

  @Test
  void answerKeptBeforeTheDownload_comesWithTheJobTakenAgain_andGoesWhenTheJobSettles() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMillis(200)).answerTtl(Duration.ofMinutes(30)));
    q.enqueueAll(JobSource.of(List.of(job("paid"), job("garbled"), job("dead"))));
    QueueConsumer a = consumer(q, "a");
    List<QueuedJob> taken = a.take(3, Duration.ZERO);
    assertThat(taken).extracting(t -> t.job().id()).containsExactly("paid", "garbled", "dead");
    assertThat(taken).allSatisfy(t -> assertThat(t.earlierImages()).isEmpty());
    GeneratedImages answer = new GeneratedImages(List.of(URI.create("http://127.0.0.1:1/artifacts/a.png?sig=x")),
        "nano-banana-2", BigDecimal.ONE, "req-7");

    a.generated(taken.get(0), answer);
    a.generated(taken.get(2), answer);
    String key = q.stream() + ":answer:paid";
    assertThat(redis.get(key)).contains("\"model\":\"nano-banana-2\"").contains("\"worker\":\"a\"");
    assertThat(redis.pttl(key)).isBetween(Duration.ofMinutes(29).toMillis(), Duration.ofMinutes(30).toMillis());
    redis.set(q.stream() + ":answer:garbled", "{not json");
    a.close(); // dies holding all three

    QueueConsumer b = consumer(q, "b");
    List<QueuedJob> again = new ArrayList<>();
    while (again.size() < 3) {
      again.addAll(takeWithin(b, 3, WAIT, () -> state(q)));
    }
    Map<String, QueuedJob> byId = again.stream().collect(Collectors.toMap(t -> t.job().id(), t -> t));
    assertThat(byId.get("paid").earlierImages()).contains(answer);
    assertThat(byId.get("paid").deliveries()).isEqualTo(2);
    assertThat(byId.get("garbled").earlierImages()).as("an answer that cannot be read: generated again").isEmpty();

    b.settle(byId.get("paid"), succeeded(byId.get("paid").job()));
    b.settle(byId.get("garbled"), succeeded(byId.get("garbled").job()));
    b.settle(byId.get("dead"), new JobResult.Skipped("dead", new JobPosition("queue", 0), SkipReason.INVALID, "bad"));
    assertThat(redis.keys(q.stream() + ":answer:*")).as("settled jobs, succeeded or dead, leave no answer").isEmpty();
  }

  @Test
  void failedJobIsDeliveredAgainUntilItsLastDelivery() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMillis(200)).maxDeliveries(2));
    q.enqueueAll(JobSource.of(List.of(job("flaky"))));
    QueueConsumer c = consumer(q, "c");

    QueuedJob first = c.take(1, Duration.ofSeconds(1)).get(0);
    assertThat(first.deliveries()).isEqualTo(1);
    c.settle(first, failed(first.job()));
    assertThat(redis.xlen(q.deadLetterStream())).isZero();
    assertThat(redis.xpending(q.stream(), q.group()).getCount()).isEqualTo(1);

    List<QueuedJob> again = takeWithin(c, 1, WAIT, () -> state(q));
    QueuedJob second = again.get(0);
    assertThat(second.deliveries()).isEqualTo(2);
    c.settle(second, failed(second.job()));

    assertThat(entries(redis, q.deadLetterStream())).singleElement().satisfies(d -> assertThat(d)
        .containsEntry("id", "flaky")
        .containsEntry("error_code", "HTTP_503")
        .containsEntry("error", "unavailable")
        .containsEntry("deliveries", "2"));
    assertThat(redis.xlen(q.stream())).isZero();
    assertThat(redis.xpending(q.stream(), q.group()).getCount()).isZero();
  }

  @Test
  void jobNotStartedGoesBackToAnotherWorkerAtOnce() {
    // A visibility timeout far beyond the test: only a give-back can bring the job back in time.
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMinutes(5)));
    q.enqueueAll(JobSource.of(List.of(job("later"))));
    QueueConsumer a = consumer(q, "a");
    QueueConsumer b = consumer(q, "b");

    QueuedJob taken = a.take(1, Duration.ofSeconds(1)).get(0);
    a.settle(taken, notStarted(taken.job(), SkipReason.CANCELLED));
    assertThat(redis.xlen(q.stream())).isEqualTo(1);
    assertThat(redis.xpending(q.stream(), q.group()).getCount()).isZero();

    List<QueuedJob> again = b.take(1, Duration.ZERO);
    assertThat(again).singleElement().satisfies(j -> {
      assertThat(j.job()).isEqualTo(taken.job());
      assertThat(j.deliveries()).isEqualTo(1);
      assertThat(j.messageId()).isNotEqualTo(taken.messageId());
    });
    assertThat(redis.xlen(q.resultsStream())).isZero();
    assertThat(redis.xlen(q.deadLetterStream())).isZero();
  }

  @Test
  void jobGivenBackManyTimesNeverReachesTheDeadLetterStream() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMinutes(5)).maxDeliveries(2));
    q.enqueueAll(JobSource.of(List.of(job("bounced"))));
    QueueConsumer a = consumer(q, "a");
    QueueConsumer b = consumer(q, "b");

    SkipReason[] reasons = {SkipReason.CANCELLED, SkipReason.HALTED, SkipReason.BUDGET};
    for (int i = 0; i < 6; i++) {
      QueueConsumer c = i % 2 == 0 ? a : b;
      QueuedJob j = c.take(1, Duration.ZERO).get(0);
      assertThat(j.deliveries()).as("delivery %d", i + 1).isEqualTo(1);
      c.settle(j, notStarted(j.job(), reasons[i % reasons.length]));
      assertThat(redis.xlen(q.stream())).isEqualTo(1); // the backlog the producer sees stays the same
      assertThat(redis.xpending(q.stream(), q.group()).getCount()).isZero();
      assertThat(redis.xlen(q.deadLetterStream())).isZero();
    }

    QueuedJob last = b.take(1, Duration.ZERO).get(0);
    assertThat(last.deliveries()).isEqualTo(1);
    b.settle(last, succeeded(last.job()));
    assertThat(entries(redis, q.resultsStream())).singleElement()
        .satisfies(r -> assertThat(r).containsEntry("id", "bounced").containsEntry("deliveries", "1"));
    assertThat(redis.xlen(q.deadLetterStream())).isZero();
    assertThat(redis.xlen(q.stream())).isZero();
  }

  @Test
  void jobGivenBackKeepsTheDeliveriesThatCounted() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMillis(200)).maxDeliveries(2));
    q.enqueueAll(JobSource.of(List.of(job("flaky"))));
    QueueConsumer a = consumer(q, "a");
    QueueConsumer b = consumer(q, "b");

    QueuedJob first = a.take(1, Duration.ZERO).get(0);
    a.settle(first, failed(first.job()));
    QueuedJob second = takeWithin(b, 1, WAIT, () -> state(q)).get(0);
    assertThat(second.deliveries()).isEqualTo(2);
    b.settle(second, notStarted(second.job(), SkipReason.CANCELLED));

    // The failure still counts, the give-back does not: this is its second and last delivery.
    QueuedJob third = a.take(1, Duration.ZERO).get(0);
    assertThat(third.deliveries()).isEqualTo(2);
    a.settle(third, failed(third.job()));
    assertThat(entries(redis, q.deadLetterStream())).singleElement()
        .satisfies(d -> assertThat(d).containsEntry("id", "flaky").containsEntry("deliveries", "2"));
    assertThat(redis.xlen(q.stream())).isZero();
  }

  @Test
  void givingBackIsIdempotentAndLeavesAJobAnotherWorkerClaimed() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMinutes(5)));
    q.enqueueAll(JobSource.of(List.of(job("once"), job("claimed"))));
    QueueConsumer a = consumer(q, "a");
    List<QueuedJob> taken = a.take(2, Duration.ZERO);
    assertThat(taken).extracting(t -> t.job().id()).containsExactly("once", "claimed");

    // A retry after a lost answer adds nothing.
    a.settle(taken.get(0), notStarted(taken.get(0).job(), SkipReason.CANCELLED));
    a.settle(taken.get(0), notStarted(taken.get(0).job(), SkipReason.CANCELLED));
    assertThat(redis.xlen(q.stream())).isEqualTo(2);

    // "a" was silent long enough for "b" to take the job over: it is b's, not a's to give back.
    String entry = taken.get(1).messageId();
    redis.xclaim(q.stream(), io.lettuce.core.Consumer.from(q.group(), "b"), 0, entry);
    a.settle(taken.get(1), notStarted(taken.get(1).job(), SkipReason.CANCELLED));
    assertThat(redis.xlen(q.stream())).isEqualTo(2);
    assertThat(redis.xpending(q.stream(), q.group()).getConsumerMessageCount()).containsExactly(Map.entry("b", 1L));
    assertThat(redis.xrange(q.stream(), io.lettuce.core.Range.create(entry, entry))).hasSize(1);
  }

  @Test
  void workerOverBudgetGivesItsUnstartedJobBackAtOnce() {
    RedisJobQueue q = open(queue().visibilityTimeout(Duration.ofMinutes(5)));
    int n = 10;
    q.enqueueAll(JobSource.of(jobs("budget", n)));

    // Three credits: the fourth job it takes is skipped for budget, and the worker stops.
    Worker thrifty = workerWith(q, "thrifty", 1, b -> b.budget(Budget.credits(3)));
    BatchReport report = thrifty.run.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(report.succeeded()).isEqualTo(3);
    assertThat(report.skipped(SkipReason.BUDGET)).isEqualTo(1);
    assertThat(redis.xlen(q.resultsStream())).isEqualTo(3);
    assertThat(redis.xlen(q.stream())).isEqualTo(n - 3);
    assertThat(redis.xpending(q.stream(), q.group()).getCount()).isZero();

    worker(q, "b", 4);
    events.awaitEntries(q.resultsStream(), n, WAIT, () -> state(q));
    List<Map<String, String>> results = entries(redis, q.resultsStream());
    assertThat(results).hasSize(n).allSatisfy(r -> assertThat(r.get("deliveries")).isEqualTo("1"));
    assertThat(results.stream().map(r -> r.get("id")).distinct().count()).isEqualTo(n);
    assertThat(redis.xlen(q.deadLetterStream())).isZero();
    assertThat(sim.counters().imagesGenerated()).isEqualTo(n);
    assertThat(sim.counters().duplicateGenerations()).isZero();
  }

  @Test
  void entriesThatAreNotJobsAreDeadLetteredAtOnce() {
    RedisJobQueue q = open(queue());
    redis.xadd(q.stream(), Map.of("job", "{not json"));
    redis.xadd(q.stream(), Map.of("something", "else"));
    redis.xadd(q.stream(), Map.of("job", "{\"id\":\"x\"}"));
    QueueConsumer c = consumer(q, "c");

    assertThat(c.take(10, Duration.ZERO)).isEmpty();

    List<Map<String, String>> dead = entries(redis, q.deadLetterStream());
    assertThat(dead).hasSize(3).allSatisfy(d -> assertThat(d).containsEntry("error_code", "INVALID_JOB"));
    assertThat(dead.get(0)).containsEntry("job", "{not json");
    assertThat(dead.get(0).get("error")).contains("not valid JSON");
    assertThat(dead.get(1).get("error")).contains("no 'job' field");
    assertThat(dead.get(2).get("error")).contains("output");
    assertThat(redis.xlen(q.stream())).isZero();
  }

  @Test
  void jobAlreadyDoneIsAcknowledgedAndNotRunAgain() {
    RedisJobQueue q = open(queue());
    q.enqueueAll(JobSource.of(List.of(job("done-before"), job("new"))));
    redis.sadd(q.doneSet(), "done-before");
    QueueConsumer c = consumer(q, "c");

    List<QueuedJob> taken = c.take(10, Duration.ZERO);

    assertThat(taken).extracting(t -> t.job().id()).containsExactly("new");
    assertThat(redis.xlen(q.stream())).isEqualTo(1);
    assertThat(redis.xpending(q.stream(), q.group()).getCount()).isEqualTo(1);
  }

  @Test
  void settlingTwiceAcknowledgesAndPublishesOnce() {
    RedisJobQueue q = open(queue());
    q.enqueueAll(JobSource.of(List.of(job("twice"))));
    QueueConsumer c = consumer(q, "c");
    QueuedJob j = c.take(1, Duration.ZERO).get(0);

    c.settle(j, succeeded(j.job()));
    c.settle(j, succeeded(j.job()));

    assertThat(redis.xlen(q.resultsStream())).isEqualTo(1);
    assertThat(redis.smembers(q.doneSet())).containsExactly("twice");
  }

  @Test
  void takeAfterCloseFails() {
    RedisJobQueue q = open(queue());
    QueueConsumer c = q.consumer("c");
    c.close();
    assertThatThrownBy(() -> c.take(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void consumerNamesAreUniqueWithinAQueue() {
    RedisJobQueue q = open(queue());
    QueueConsumer first = q.consumer("same");
    assertThatThrownBy(() -> q.consumer("same"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'same'");
    first.close();
    q.consumer("same").close();
  }

  @Test
  void queueLeavesAClientOfYoursOpen() {
    RedisClient mine = RedisClient.create(server.uri());
    try {
      try (RedisJobQueue q = RedisJobQueue.builder().client(mine).namespace(namespace).build()) {
        assertThat(q.enqueueAll(JobSource.of(List.of(job("one"))))).isEqualTo(1);
        assertThat(q.backlog()).isEqualTo(1);
      }
      try (StatefulRedisConnection<String, String> c = mine.connect()) {
        assertThat(c.sync().xlen("{" + namespace + "}:jobs")).isEqualTo(1);
      }
    } finally {
      mine.shutdown();
    }
  }

  // ----- configuration -----

  @Test
  void namespacePrefixesEveryKey() {
    try (RedisJobQueue q = RedisJobQueue.builder().redisUri(server.uri()).namespace("batch-42").build()) {
      assertThat(Set.of(q.stream(), q.resultsStream(), q.deadLetterStream(), q.doneSet()))
          .containsExactlyInAnyOrder("{batch-42}:jobs", "{batch-42}:results", "{batch-42}:dead", "{batch-42}:done");
      assertThat(q.group()).isEqualTo("anycap-workers");
      assertThat(q.visibilityTimeout()).isEqualTo(Duration.ofMinutes(5));
      assertThat(q.maxDeliveries()).isEqualTo(5);
      assertThat(q.maxStreamLength()).isEqualTo(10_000);
    }
    try (RedisJobQueue q = RedisJobQueue.builder().redisUri(server.uri()).stream("todo").resultsStream("out").build()) {
      assertThat(q.stream()).isEqualTo("{anycap}:todo");
      assertThat(q.resultsStream()).isEqualTo("{anycap}:out");
      assertThat(q.doneSet()).isEqualTo("{anycap}:done");
    }
  }

  @Test
  void builderNamesWhatIsMissingOrWrong() {
    assertThatThrownBy(() -> RedisJobQueue.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUri");
    assertThatThrownBy(() -> RedisJobQueue.builder().redisUri(server.uri()).maxStreamLength(10).batchSize(20).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> RedisJobQueue.builder().redisUri(server.uri()).doneSet("jobs").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different keys");
    assertThatThrownBy(() -> RedisJobQueue.builder().namespace("a{b}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash tag");
    assertThatThrownBy(() -> RedisJobQueue.builder().visibilityTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibilityTimeout");
  }

  private static JobResult succeeded(ImageJob job) {
    return new JobResult.Succeeded(job, List.of(Path.of("out", job.outputKey())), "nano-banana-2", BigDecimal.ONE, 1,
        Duration.ofMillis(5), "req-1", null, List.of(SinkReceipt.of("s3", "s3://bucket/" + job.outputKey())));
  }

  private static JobResult notStarted(ImageJob job, SkipReason reason) {
    return new JobResult.Skipped(job.id(), new JobPosition("queue", 0), reason, "not started");
  }

  private static JobResult failed(ImageJob job) {
    return new JobResult.Failed(job, "HTTP_503", "unavailable", BigDecimal.ZERO, 3, Duration.ofMillis(5), List.of(),
        List.of());
  }
}

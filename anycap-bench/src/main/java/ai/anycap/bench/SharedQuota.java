package ai.anycap.bench;

import ai.anycap.pipeline.Retry;
import ai.anycap.redis.RedisJobQueue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One account's rate limit, R = 50 generates a second (burst 10), shared by {@value #WORKERS}
 * worker processes on one Redis queue: the simulator in a process of its own (as the rate-limit
 * row), a redis-server the benchmark starts, and each worker a JVM of its own ({@link
 * SharedQuotaWorker}). Two variants: the workers share the account's pace in Redis ({@code
 * RedisJobQueue.sharedPace}), or each paces adaptively on its own. The simulator and each worker
 * are warmed up first (jobs of another model, at a fixed pace under R, on a pace and queue of their
 * own): queue workers are long-lived processes, and a real AnyCap is not a JVM a second old; cold,
 * the first seconds (which decide what the workers learn) ran late and in bunches. The workers
 * say they are ready; then the benchmark enqueues the batch and times it until the last result is in.
 * Goodput is jobs over that time, over R; the 429 share is from the simulator's counters. Goal,
 * shared: goodput at least 0.9 R with at most 5% refused; the independent workers are the
 * reference.
 */
final class SharedQuota {

  static final int WORKERS = 4;
  /** Per worker: 64 in flight in all, as the rate-limit row's one pipeline. */
  static final int CONCURRENCY = 16;
  static final int JOBS = 6_000;
  static final int QUICK_JOBS = 1_000;
  static final double GOODPUT_GOAL = 0.9;
  static final Retry RETRY = RateLimit.BACKOFF;
  /** A model the simulator answers at once, for the warm-ups; never the measured batch's. */
  static final String WARM_UP_MODEL = "seedream-5";
  /** The warm-ups' pace, all four workers' together: below R, so that none is refused. */
  static final double WARM_UP_RATE = 40;
  private static final int SIMULATOR_WARM_UP_JOBS = 400;
  private static final Duration LIMIT = Duration.ofMinutes(15);

  private SharedQuota() {}

  static List<Row> run(boolean quick) {
    int jobs = quick ? QUICK_JOBS : JOBS;
    List<Row> rows = new ArrayList<>();
    for (boolean shared : new boolean[] {true, false}) {
      rows.addAll(measure(shared, jobs));
    }
    return rows;
  }

  private static List<Row> measure(boolean shared, int jobs) {
    String variant = shared ? "shared" : "alone";
    String label = WORKERS + " workers x C=" + CONCURRENCY + ", " + (shared ? "one pace shared in Redis" : "each its own adaptive pace");
    Progress.say(String.format(Locale.ROOT, "   %s: %d jobs at R = %.0f/s", label, jobs, RateLimit.R));
    List<String> options = List.of("--rate-limit", RateLimit.R + ":" + RateLimit.BURST, "--latency-ms", "100",
        "--model-latency-ms", WARM_UP_MODEL + "=0", "--seed", "42");
    String namespace = "bench-" + variant;
    List<Process> workers = new ArrayList<>();
    RedisClient client = null;
    try (SimulatorProcess sim = SimulatorProcess.start(options);
        RedisServer redis = RedisServer.start();
        RedisJobQueue queue = RedisJobQueue.builder().redisUri(redis.uri()).namespace(namespace)
            .maxStreamLength(Math.max(jobs, 10_000)).build()) {
      sim.warmUp(WARM_UP_MODEL, SIMULATOR_WARM_UP_JOBS, CONCURRENCY, WARM_UP_RATE);
      client = RedisClient.create(redis.uri());
      StatefulRedisConnection<String, String> connection = client.connect();
      RedisCommands<String, String> commands = connection.sync();
      List<CompletableFuture<Boolean>> ready = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        Process p = start(List.of(redis.uri(), namespace, sim.baseUri().toString(), "worker-" + i, variant));
        workers.add(p);
        String name = "worker-" + i;
        ready.add(ProcessLines.watch(p, name, line -> line.equals(SharedQuotaWorker.READY) ? true : null,
            line -> System.err.println("   [" + name + "] " + line)));
      }
      CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);

      Thread.sleep(1_000); // the server's bucket refills after the warm-ups (in 0.2 s at R)
      long allBefore = sim.generates(null);
      long limitedBefore = sim.generates(429);
      long t0 = System.nanoTime();
      queue.enqueueAll(Workload.literal("quota-" + variant, jobs));
      long deadline = t0 + LIMIT.toNanos();
      // Finished entries are deleted: the stream is empty once every job succeeded or was dead-lettered.
      while (queue.backlog() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100); // a measurement's poll: the finish is timed to within it
      }
      long done = commands.scard(queue.doneSet());
      long dead = commands.xlen(queue.deadLetterStream());
      connection.close();
      double seconds = (System.nanoTime() - t0) / 1e9;
      long all = sim.generates(null) - allBefore;
      long limited = sim.generates(429) - limitedBefore;
      double goodput = done / seconds / RateLimit.R;
      double share = all == 0 ? 0 : (double) limited / all;
      String note = String.format(Locale.ROOT, "%d of %d jobs in %.1f s; %d generate requests, %d refused; %d failed"
          + " (dead letters)", done, jobs, seconds, all, limited, dead);
      Progress.say(String.format(Locale.ROOT, "   %.3f R, %.1f%% refused (%s)", goodput, 100 * share, note));
      Verdict goodputVerdict = shared ? Verdict.atLeast(goodput, GOODPUT_GOAL) : Verdict.REFERENCE;
      Verdict shareVerdict = shared ? Verdict.atMost(share, RateLimit.SHARE_GOAL) : Verdict.REFERENCE;
      return List.of(
          new Row("shared quota", label + ": aggregate goodput", String.format(Locale.ROOT, "%.3f R", goodput),
              shared ? String.format(Locale.ROOT, "R = 50/s, >= %.2f R", GOODPUT_GOAL) : "reference", goodput,
              goodputVerdict, note),
          new Row("shared quota", label + ": 429 share", String.format(Locale.ROOT, "%.1f%%", 100 * share),
              shared ? String.format(Locale.ROOT, "<= %.0f%%", 100 * RateLimit.SHARE_GOAL) : "reported", share,
              shareVerdict, ""));
    } catch (Exception e) {
      throw new IllegalStateException("the " + variant + " run failed: " + e.getMessage(), e);
    } finally {
      for (Process p : workers) {
        stop(p);
      }
      if (client != null) {
        client.shutdown();
      }
    }
  }

  private static Process start(List<String> args) {
    ProcessBuilder pb = ChildJvm.command(List.of(), SharedQuotaWorker.class.getName(), args);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a worker: " + pb.command(), e);
    }
  }

  /** Closes the worker's stdin (it stops cleanly), then makes sure it is gone. */
  private static void stop(Process p) {
    try {
      p.getOutputStream().close();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      p.destroyForcibly();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

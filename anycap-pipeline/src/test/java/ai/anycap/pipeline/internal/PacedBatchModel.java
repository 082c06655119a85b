package ai.anycap.pipeline.internal;

import ai.anycap.client.AnyCapServiceException.ErrorDetails;
import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.RequestPace;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.internal.VirtualTime.Lane;
import ai.anycap.testkit.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A batch as the pipeline runs it, on virtual time: {@code jobs} jobs, at most {@code concurrency}
 * at once, each sending generate requests through a {@link RequestPacer} to a server limited by
 * the simulator's own {@link TokenBucket}, and retrying 429s under a {@link Retry} policy. The
 * server answers 429 at once with a whole-second {@code Retry-After}, as the simulator does, and
 * everything else after its latency. Deterministic, and fast: minutes of batch take
 * milliseconds, so goodput can be asserted without a wall clock.
 *
 * <p>The noise of real runs can be added: requests reaching the server out of order ({@link
 * #jitter}), a latency with a heavy tail so that answers come back out of order and late ({@link
 * #logNormalLatency}), and stalls of the client's timers, of its I/O, or of the server ({@link
 * #stalls}), as on a machine whose cores are busy with other work.
 */
final class PacedBatchModel {

  /** A pace the pacer announced, and when. */
  record Announced(long at, RequestPace pace) {}

  /**
   * How a batch went.
   *
   * @param paces what the (first) pacer announced
   * @param workerPaces what each worker's pacer announced, in order of workers
   */
  record Outcome(
      long succeeded,
      long failed,
      long requests,
      long limited,
      double seconds,
      double rate,
      List<Long> sentAt,
      List<Announced> paces,
      List<List<Announced>> workerPaces,
      List<Long> workerLimited,
      long storeRoundTrips) {

    /** Succeeded jobs a second, over the server's rate. */
    double goodput() {
      return succeeded / seconds / rate;
    }

    /** The share of requests answered 429. */
    double limitedShare() {
      return (double) limited / requests;
    }

    /** Round trips to the shared pace's store per generate request (0 without one). */
    double storeRoundTripsPerRequest() {
      return (double) storeRoundTrips / requests;
    }

    /** How many times every request was paused. */
    long pauses() {
      return paces.stream().filter(a -> a.pace().paused()).count();
    }

    /** The lowest pace announced after {@code from} nanoseconds (positive infinity for none). */
    double lowestPaceAfter(long from) {
      return paces.stream().filter(a -> a.at() >= from).mapToDouble(a -> a.pace().requestsPerSecond())
          .min().orElse(Double.POSITIVE_INFINITY);
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT,
          "goodput %.3f R, 429 share %.2f%% (%d of %d), %d pauses, %.1f s, lowest pace after 10 s %.1f/s,"
              + " %.2f store round trips a request",
          goodput(), 100 * limitedShare(), limited, requests, pauses(), seconds,
          lowestPaceAfter(10_000_000_000L), storeRoundTripsPerRequest());
    }
  }

  /** Stalls of some lanes together: at random, {@code every} apart on average, each about {@code length}. */
  private record Stalls(Set<Lane> lanes, Duration every, Duration length, long seed) {}

  private final double rate;
  private final int burst;
  private Duration latency;
  private Duration latencyP99;
  private int concurrency = 64;
  private int jobs = 1_000;
  private Retry retry = Retry.exponential(30, Duration.ofMillis(100), Duration.ofSeconds(5));
  private boolean adaptive = true;
  private double fixedRate = Double.POSITIVE_INFINITY;
  private double noise;
  private Duration jitter = Duration.ZERO;
  private Duration connecting = Duration.ZERO;
  private Duration refusalLatency = Duration.ZERO;
  private Duration noiseRetryAfter = Duration.ofSeconds(1);
  private final List<Stalls> stalls = new ArrayList<>();
  private int workers = 1;
  private boolean sharedPace;
  private Duration storeRoundTrip = Duration.ZERO;
  private Duration staggered = Duration.ZERO;
  /** The server's rate until {@link #raisedAt}, when it becomes {@link #rate}; 0 for none. */
  private double startRate;
  private Duration raisedAt = Duration.ZERO;

  PacedBatchModel(double rate, int burst, Duration latency) {
    this.rate = rate;
    this.burst = burst;
    this.latency = latency;
  }

  private PacedBatchModel(PacedBatchModel o) {
    this(o.rate, o.burst, o.latency);
    latencyP99 = o.latencyP99;
    concurrency = o.concurrency;
    jobs = o.jobs;
    retry = o.retry;
    adaptive = o.adaptive;
    fixedRate = o.fixedRate;
    noise = o.noise;
    jitter = o.jitter;
    connecting = o.connecting;
    refusalLatency = o.refusalLatency;
    noiseRetryAfter = o.noiseRetryAfter;
    stalls.addAll(o.stalls);
    workers = o.workers;
    sharedPace = o.sharedPace;
    storeRoundTrip = o.storeRoundTrip;
    staggered = o.staggered;
    startRate = o.startRate;
    raisedAt = o.raisedAt;
  }

  /** A copy with {@code change} made to it: scenarios share a base and vary one thing each. */
  private PacedBatchModel with(Consumer<PacedBatchModel> change) {
    PacedBatchModel m = new PacedBatchModel(this);
    change.accept(m);
    return m;
  }

  PacedBatchModel concurrency(int c) {
    return with(m -> m.concurrency = c);
  }

  PacedBatchModel jobs(int n) {
    return with(m -> m.jobs = n);
  }

  PacedBatchModel retry(Retry r) {
    return with(m -> m.retry = r);
  }

  PacedBatchModel adaptive(boolean a) {
    return with(m -> m.adaptive = a);
  }

  /** Answers this share of requests 429 (with this Retry-After) whatever the bucket holds. */
  PacedBatchModel noise(double share, Duration retryAfter) {
    return with(m -> {
      m.noise = share;
      m.noiseRetryAfter = retryAfter;
    });
  }

  /**
   * Requests reach the server up to this long after they are sent, at random, as over a real
   * network and a server with several threads: the order the server sees is not quite the order
   * of sending, and the answers come back out of order too.
   */
  PacedBatchModel jitter(Duration j) {
    return with(m -> m.jitter = j);
  }

  /**
   * The first {@code concurrency} requests open their connections, and reach the server spread
   * over up to this long (uniformly at random), as on a loaded machine: the server's bucket
   * refills while the opening burst comes in, and lets more of it through than its burst.
   */
  PacedBatchModel connecting(Duration spread) {
    return with(m -> m.connecting = spread);
  }

  /**
   * 429s come back up to this long after the server refused (uniformly at random), as from a
   * simulator on a loaded machine: the opening burst's count, made as they come back, then holds
   * what the bucket refilled while the burst came in, and their spread says little of how long
   * that was.
   */
  PacedBatchModel refusalLatency(Duration most) {
    return with(m -> m.refusalLatency = most);
  }

  /**
   * Generations take a log-normal time (half under {@code median}, one in a hundred over {@code
   * p99}), as the simulator's {@code Latency.logNormal}: answers come back late and out of order.
   */
  PacedBatchModel logNormalLatency(Duration median, Duration p99) {
    return with(m -> {
      m.latency = median;
      m.latencyP99 = p99;
    });
  }

  /**
   * Stalls these lanes together, at random times about {@code every} apart, each lasting between
   * half and one and a half times {@code length}. Called again, it adds stalls of their own.
   */
  PacedBatchModel stalls(Duration every, Duration length, Lane... lanes) {
    return with(m -> m.stalls.add(new Stalls(EnumSet.copyOf(List.of(lanes)), every, length, 100 + stalls.size())));
  }

  PacedBatchModel fixedRate(double r) {
    return with(m -> m.fixedRate = r);
  }

  /**
   * Runs the jobs on {@code n} workers against the one server, each with a pacer of its own and
   * the concurrency set, the jobs split between them; {@code shared}: their pacers share one pace
   * (a {@link MemorySharedPace}, as workers on one Redis), each on a clock of its own origin, as on
   * machines of their own. Not shared: each learns the limit alone.
   */
  PacedBatchModel workers(int n, boolean shared) {
    return with(m -> {
      m.workers = n;
      m.sharedPace = shared;
    });
  }

  /**
   * Each call to the shared pace's store takes this long, during which nothing else runs (the
   * model is single-threaded): round trips to a Redis on a busy machine, which hold up the
   * pacer that waits for them, and everything after it.
   */
  PacedBatchModel storeRoundTrip(Duration rtt) {
    return with(m -> m.storeRoundTrip = rtt);
  }

  /**
   * The workers start one after another over {@code spread} (the first at once, the last at its
   * end), as worker processes started together do while their JVMs warm up: their opening
   * bursts reach the server spread out, and its bucket refills meanwhile.
   */
  PacedBatchModel staggered(Duration spread) {
    return with(m -> m.staggered = spread);
  }

  /**
   * The server lets through only {@code rate} a second until {@code at}, then the rate the model
   * was made with (its burst throughout): another client on the account stopped, and the pace
   * that was right before is now far below the limit.
   */
  PacedBatchModel raisedAt(Duration at, double rate) {
    return with(m -> {
      m.startRate = rate;
      m.raisedAt = at;
    });
  }

  Outcome run() {
    VirtualTime time = new VirtualTime();
    for (Stalls s : stalls) {
      Random r = new Random(s.seed());
      long at = 0;
      long horizon = Duration.ofHours(2).toNanos();
      while (at < horizon) {
        at += (long) (-Math.log(1 - r.nextDouble()) * s.every().toNanos());
        long length = (long) ((0.5 + r.nextDouble()) * s.length().toNanos());
        for (Lane lane : s.lanes()) {
          time.stall(lane, at, at + length);
        }
        at += length;
      }
    }
    TokenBucket later = new TokenBucket(rate, burst, time.clock());
    TokenBucket first = startRate > 0 ? new TokenBucket(startRate, burst, time.clock()) : later;
    LongSupplier server = () -> time.nanoTime() < raisedAt.toNanos() ? first.tryAcquire() : later.tryAcquire();
    // The store's clock: microseconds since 1970, as Redis TIME says.
    long rtt = storeRoundTrip.toNanos();
    MemorySharedPace shared =
        new MemorySharedPace(() -> 1_764_000_000_000_000L + time.nanoTime() / 1_000, () -> time.advance(rtt));
    List<List<Announced>> workerPaces = new ArrayList<>();
    RequestPacer[] pacers = new RequestPacer[workers];
    for (int w = 0; w < workers; w++) {
      List<Announced> announced = new ArrayList<>();
      workerPaces.add(announced);
      java.util.function.Consumer<RequestPace> onChange = pace -> announced.add(new Announced(time.nanoTime(), pace));
      // Each worker's monotonic clock has an origin of its own, as on machines of their own.
      long origin = w * 987_654_321_000L - 5_000_000_000_000L;
      pacers[w] = sharedPace
          ? RequestPacer.sharing(shared, adaptive, fixedRate, retry.maxRetryAfter(), () -> time.nanoTime() + origin,
              time, onChange)
          : new RequestPacer(adaptive, fixedRate, retry.maxRetryAfter(), time::nanoTime, time, onChange);
    }
    List<Announced> paces = workerPaces.get(0);
    Random random = new Random(42);
    Random noisy = new Random(7);
    Random late = new Random(3);
    Random refusals = new Random(11);
    Random slow = new Random(5);
    LongSupplier generation = latencyP99 == null
        ? latency::toNanos
        : () -> {
          double sigma = Math.log((double) latencyP99.toNanos() / latency.toNanos()) / 2.3263478740408408;
          return Math.round(latency.toNanos() * Math.exp(sigma * slow.nextGaussian()));
        };
    List<Long> sentAt = new ArrayList<>();
    long[] counts = new long[5]; // started, succeeded, failed, requests, limited
    long[] started = new long[workers];
    long[] limitedBy = new long[workers];

    class Job {
      final int worker;
      final RequestPacer pacer;
      int attempt;

      Job(int worker) {
        this.worker = worker;
        this.pacer = pacers[worker];
      }

      void start() {
        counts[0]++;
        started[worker]++;
        send();
      }

      void send() {
        pacer.beforeRequest().thenAccept(ticket -> time.schedule(Lane.IO, () -> {
          attempt++;
          counts[3]++;
          sentAt.add(time.nanoTime());
          long way = jitter.isZero() ? 0 : (long) (late.nextDouble() * jitter.toNanos());
          if (counts[3] <= concurrency && !connecting.isZero()) {
            way += (long) (late.nextDouble() * connecting.toNanos());
          }
          time.schedule(Lane.SERVER, () -> arrive(ticket), way);
        }, 0));
      }

      void arrive(RequestPacer.Ticket ticket) {
        boolean refused = noise > 0 && noisy.nextDouble() < noise;
        long wait = refused ? 0 : server.getAsLong();
        if (wait == 0 && !refused) {
          time.schedule(Lane.IO, () -> {
            pacer.afterRequest(ticket, null);
            counts[1]++;
            next();
          }, generation.getAsLong());
          return;
        }
        counts[4]++;
        limitedBy[worker]++;
        Duration retryAfter = refused
            ? noiseRetryAfter
            : Duration.ofSeconds(Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
        RateLimitException limited = new RateLimitException(ErrorDetails.builder(429)
            .errorCode("RATE_LIMITED").message("slow down").retryAfter(retryAfter).build());
        time.schedule(Lane.IO, () -> {
          pacer.afterRequest(ticket, limited);
          if (attempt >= retry.maxAttempts()) {
            counts[2]++;
            next();
            return;
          }
          Duration delay = retry.delayBefore(attempt, retryAfter, random.nextDouble());
          time.schedule(Lane.TIMER, this::send, delay.toNanos());
        }, Duration.ofMillis(2).toNanos() + (long) (refusals.nextDouble() * refusalLatency.toNanos()));
      }

      void next() {
        if (started[worker] < share(worker)) {
          new Job(worker).start();
        }
      }
    }

    for (int w = 0; w < workers; w++) {
      int worker = w;
      Runnable startWorker = () -> {
        for (int i = 0; i < Math.min(concurrency, share(worker)); i++) {
          new Job(worker).start();
        }
      };
      long delay = workers == 1 ? 0 : staggered.toNanos() * w / (workers - 1);
      if (delay == 0) {
        startWorker.run();
      } else {
        time.schedule(Lane.TIMER, startWorker, delay);
      }
    }
    time.runUntil(() -> counts[1] + counts[2] == jobs);
    List<Long> limited = new ArrayList<>();
    for (long l : limitedBy) {
      limited.add(l);
    }
    return new Outcome(counts[1], counts[2], counts[3], counts[4], time.seconds(), rate, sentAt, paces, workerPaces,
        limited, sharedPace ? shared.roundTrips() : 0);
  }

  /** The jobs worker {@code w} runs: an equal share, the first ones taking what is left over. */
  private long share(int w) {
    return jobs / workers + (w < jobs % workers ? 1 : 0);
  }
}

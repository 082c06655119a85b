package ai.anycap.testkit.internal;

import ai.anycap.testkit.SimulatorCounters;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The simulator's running counters, updated from many threads without a shared lock, with
 * snapshots and a way to wait until they satisfy a condition.
 */
public final class LiveCounters {

  static final int MAX_TRACKED_REQUESTS = 250_000;
  static final int MAX_VIOLATIONS = 64;

  private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, LongAdder>> requests =
      new ConcurrentHashMap<>();
  private final LongAdder images = new LongAdder();
  private final LongAdder edits = new LongAdder();
  private final LongAdder upscales = new LongAdder();
  private final LongAdder reads = new LongAdder();
  private final LongAdder presigns = new LongAdder();
  private final LongAdder reusedUploads = new LongAdder();
  private final LongAdder uploads = new LongAdder();
  private final LongAdder uploadBytes = new LongAdder();
  private final LongAdder credits = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger generatesInFlight = new AtomicInteger();
  private final AtomicInteger generatesPeak = new AtomicInteger();
  private final ConcurrentHashMap<String, LongAdder> generations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, java.util.List<String>> histories = new ConcurrentHashMap<>();
  private final Set<String> violations = ConcurrentHashMap.newKeySet();
  private volatile java.util.function.LongSupplier rateLimitUnused = () -> 0;
  private volatile long rateLimitUnusedAtReset;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicInteger waiters = new AtomicInteger();

  /** A request arrived. */
  public void started(boolean generate) {
    peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    if (generate) {
      generatesPeak.accumulateAndGet(generatesInFlight.incrementAndGet(), Math::max);
    }
  }

  /** A request is about to be answered with {@code status} (0: closed without an answer). */
  public void finished(String endpoint, int status, boolean generate) {
    requests
        .computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new LongAdder())
        .increment();
    if (generate) {
      generatesInFlight.decrementAndGet();
    }
    inFlight.decrementAndGet();
    signal();
  }

  /**
   * A generate request with this body arrived; its place in the body's history, in order of
   * arrival, or -1 when no more bodies are tracked.
   */
  public int arrived(String fingerprint) {
    if (histories.size() >= MAX_TRACKED_REQUESTS && !histories.containsKey(fingerprint)) {
      return -1;
    }
    java.util.List<String> h =
        histories.computeIfAbsent(fingerprint, f -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()));
    synchronized (h) {
      h.add("pending");
      return h.size() - 1;
    }
  }

  /** The request at {@code index} of the body's history was answered: its status and fault. */
  public void answered(String fingerprint, int index, String outcome) {
    java.util.List<String> h = histories.get(fingerprint);
    if (h != null && index >= 0) {
      synchronized (h) {
        if (index < h.size()) {
          h.set(index, outcome);
        }
      }
    }
  }

  /** The answers given so far to generate requests with this body, oldest first. */
  public java.util.List<String> history(String fingerprint) {
    java.util.List<String> h = histories.get(fingerprint);
    if (h == null) {
      return java.util.List.of();
    }
    synchronized (h) {
      return java.util.List.copyOf(h);
    }
  }

  /**
   * An operation ({@code generate}, {@code edit}, {@code upscale}, {@code read}) was carried out
   * for the body with this fingerprint, and charged.
   */
  public void produced(String operation, String fingerprint, long cost) {
    switch (operation) {
      case ModelCatalog.EDIT:
        edits.increment();
        break;
      case "upscale":
        upscales.increment();
        break;
      case "read":
        reads.increment();
        break;
      default:
        images.increment();
        break;
    }
    counted(fingerprint, cost);
  }

  private void counted(String fingerprint, long cost) {
    LongAdder n = generations.get(fingerprint);
    if (n == null && generations.size() < MAX_TRACKED_REQUESTS) {
      n = generations.computeIfAbsent(fingerprint, f -> new LongAdder());
    }
    if (n != null) {
      n.increment();
    }
    credits.add(cost);
    signal();
  }

  /** A presign was answered, {@code reused} when the server had the bytes already. */
  public void presigned(boolean reused) {
    presigns.increment();
    if (reused) {
      reusedUploads.increment();
    }
    signal();
  }

  /** Bytes arrived on the upload endpoint, stored or not. */
  public void uploadBytes(long n) {
    uploadBytes.add(n);
  }

  /** An upload's bytes were checked and stored. */
  public void uploaded() {
    uploads.increment();
    signal();
  }

  public void violation(String what) {
    if (violations.size() < MAX_VIOLATIONS && violations.add(what)) {
      signal();
    }
  }

  /** Where the rate limit's unused permits are read from. */
  public void rateLimit(java.util.function.LongSupplier unusedPermits) {
    this.rateLimitUnused = unusedPermits;
  }

  public SimulatorCounters snapshot() {
    Map<String, Map<Integer, Long>> byEndpoint = new HashMap<>();
    requests.forEach(
        (endpoint, statuses) -> {
          Map<Integer, Long> m = new HashMap<>();
          statuses.forEach((status, n) -> m.put(status, n.sum()));
          byEndpoint.put(endpoint, m);
        });
    Map<String, Long> gens = new HashMap<>(generations.size() * 2);
    generations.forEach((f, n) -> gens.put(f, n.sum()));
    return new SimulatorCounters(
        byEndpoint,
        images.sum(),
        credits.sum(),
        inFlight.get(),
        peak.get(),
        generatesPeak.get(),
        gens,
        Set.copyOf(violations),
        rateLimitUnused.getAsLong() - rateLimitUnusedAtReset,
        edits.sum(),
        upscales.sum(),
        reads.sum(),
        presigns.sum(),
        reusedUploads.sum(),
        uploads.sum(),
        uploadBytes.sum());
  }

  /** Zeroes everything but the requests in flight, which also become the new peaks. */
  public void reset() {
    requests.clear();
    images.reset();
    credits.reset();
    for (LongAdder a : new LongAdder[] {edits, upscales, reads, presigns, reusedUploads, uploads, uploadBytes}) {
      a.reset();
    }
    generations.clear();
    histories.clear();
    violations.clear();
    rateLimitUnusedAtReset = rateLimitUnused.getAsLong();
    peak.set(inFlight.get());
    generatesPeak.set(generatesInFlight.get());
    signal();
  }

  /**
   * Waits until {@code condition} holds for a snapshot, re-checking whenever a counter changes.
   *
   * @return the snapshot that satisfied it, or null when the time ran out
   */
  public SimulatorCounters await(Predicate<SimulatorCounters> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    waiters.incrementAndGet();
    lock.lock();
    try {
      while (true) {
        SimulatorCounters now = snapshot();
        if (condition.test(now)) {
          return now;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        // The bounded wait only guards against a missed signal; changes wake it at once.
        changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
      }
    } finally {
      lock.unlock();
      waiters.decrementAndGet();
    }
  }

  private void signal() {
    if (waiters.get() > 0) {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}

package ai.anycap.bench;

import ai.anycap.pipeline.SharedPace;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A {@link SharedPace} that counts what passes through it, for a shared-quota worker to report
 * its pace over time: claims and compare-and-sets with their round trips, how far ahead of the
 * store's clock the moments it got lay (the wait for a moment), how many came "now" (the
 * schedule had fallen behind: capacity that went unused), how late this worker came back for its
 * next moment after the last one fell due (a late timer or a slow round trip), and the rate the
 * workers learned, as the store last answered it; and the first {@value #OPENING_EVENTS} events of
 * the batch (claims, writes, and what the worker notes with {@link #event}), to lay the workers'
 * openings side by side: how the opening burst's count came out is read there. Only the public
 * interface: the bench does not see the pipeline's internals.
 */
final class PaceProbe implements SharedPace {

  private static final int OPENING_EVENTS = 120;

  private final SharedPace inner;
  private final AtomicLong claims = new AtomicLong();
  private final AtomicLong moments = new AtomicLong();
  private final AtomicLong claimNanos = new AtomicLong();
  private final AtomicLong claimMostNanos = new AtomicLong();
  private final AtomicLong leadMicros = new AtomicLong();
  private final AtomicLong behind = new AtomicLong();
  private final AtomicLong lateMicros = new AtomicLong();
  private final AtomicLong lateOver5ms = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong writeNanos = new AtomicLong();
  private volatile long lastAt = Long.MIN_VALUE;
  private volatile String learned = "";
  /** The first events of the batch (claims, writes, and what the worker reports), wall-clock stamped. */
  private final List<String> opening = new ArrayList<>();

  /**
   * Notes an event of the opening, stamped with the wall clock (the workers share one machine);
   * once the opening is full, nothing is formatted: the probe sits on every request's way.
   */
  void event(Supplier<String> what) {
    synchronized (opening) {
      if (opening.size() < OPENING_EVENTS) {
        opening.add(String.format(Locale.ROOT, "%d %s", System.currentTimeMillis() % 100_000, what.get()));
      }
    }
  }

  /** The opening's events, one a line. */
  String opening() {
    synchronized (opening) {
      return String.join("\n", opening);
    }
  }

  PaceProbe(SharedPace inner) {
    this.inner = inner;
  }

  @Override
  public Slot claim(long spacingMicros, long catchUpMicros, long after, int count) {
    long t0 = System.nanoTime();
    Slot s = inner.claim(spacingMicros, catchUpMicros, after, count);
    long took = System.nanoTime() - t0;
    claims.incrementAndGet();
    claimNanos.addAndGet(took);
    claimMostNanos.accumulateAndGet(took, Math::max);
    leadMicros.addAndGet(Math.max(0, s.at() - s.clock()));
    if (s.at() <= s.clock()) {
      behind.incrementAndGet();
    }
    long previous = lastAt;
    if (previous != Long.MIN_VALUE && s.clock() > previous) {
      long late = s.clock() - previous;
      lateMicros.addAndGet(late);
      if (late > 5_000) {
        lateOver5ms.incrementAndGet();
      }
    }
    lastAt = s.moments().get(s.moments().size() - 1);
    moments.addAndGet(s.moments().size());
    event(() -> String.format(Locale.ROOT, "claim seq %d x%d spacing %d us, first %d us ahead, version %d",
        s.sequence(), s.moments().size(), spacingMicros, s.at() - s.clock(), s.version()));
    return s;
  }

  @Override
  public Snapshot compareAndSet(long expectedVersion, long pausedUntil, String learned) {
    long t0 = System.nanoTime();
    Snapshot s = inner.compareAndSet(expectedVersion, pausedUntil, learned);
    writeNanos.addAndGet(System.nanoTime() - t0);
    writes.incrementAndGet();
    if (s.written()) {
      written.incrementAndGet();
    }
    this.learned = s.learned();
    if (expectedVersion >= 0 || s.version() > 0) {
      event(() -> String.format(Locale.ROOT, "cas %s (expected v%d, now v%d seq %d): %s", s.written() ? "WRITTEN" : "read",
          expectedVersion, s.version(), s.sequence(), s.learned().replaceAll("last_cut=\\S+ |last_growth=\\S+ |unexpected_at=\\S+ ", "")));
    }
    return s;
  }

  /** The counters so far, as one line. */
  String line() {
    long c = Math.max(1, claims.get());
    long w = Math.max(1, writes.get());
    return String.format(Locale.ROOT,
        "claims %d for %d moments (rtt mean %.2f ms, most %.1f ms; moment ahead mean %.1f ms; schedule behind %d;"
            + " came back after the moment mean %.1f ms, >5 ms %d); cas %d (%d written, rtt mean %.2f ms); learned %s",
        claims.get(), moments.get(), claimNanos.get() / 1e6 / c, claimMostNanos.get() / 1e6, leadMicros.get() / 1e3 / c, behind.get(),
        lateMicros.get() / 1e3 / c, lateOver5ms.get(), writes.get(), written.get(), writeNanos.get() / 1e6 / w,
        field(learned, "rate") + " " + field(learned, "phase") + " round " + field(learned, "round") + " burst "
            + field(learned, "burst") + " limit " + field(learned, "limit"));
  }

  private static String field(String text, String name) {
    for (String pair : text.split("\\s+")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    return "-";
  }
}

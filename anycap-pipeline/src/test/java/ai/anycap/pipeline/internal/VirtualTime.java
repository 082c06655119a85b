package ai.anycap.pipeline.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Time that passes only when the test says so: tasks scheduled for later run in order of their
 * due time, and the clock jumps to each as it runs. Single-threaded and deterministic.
 *
 * <p>Every task runs on a {@link Lane}, a kind of thread, and a lane can stall: a task due while
 * its lane is stalled runs when the stall ends, after the tasks due before it, as the threads of
 * a process on a busy machine (or in a garbage-collection pause) run late and then all at once.
 * The clock does not stall: it is the wall clock, and it has moved on when the lane runs again.
 */
final class VirtualTime implements RequestPacer.Timer {

  /** Who runs a task: whose stall delays it. */
  enum Lane {
    /** The client's timers: the pacer's, and retry delays. */
    TIMER,
    /** The client's HTTP I/O: a request leaving, an answer being read. */
    IO,
    /** The server taking a request in. */
    SERVER
  }

  private record Task(long at, long order, Lane lane, Runnable body) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  /** Each lane's stalls: start to end, merged where they overlap. */
  private final Map<Lane, TreeMap<Long, Long>> stalls = new EnumMap<>(Lane.class);
  private long now;
  private long order;

  long nanoTime() {
    return now;
  }

  double seconds() {
    return now / 1e9;
  }

  /** Schedules a task of the client's timers, as the pacer does. */
  @Override
  public void schedule(Runnable task, long delayNanos) {
    schedule(Lane.TIMER, task, delayNanos);
  }

  void schedule(Lane lane, Runnable task, long delayNanos) {
    tasks.add(new Task(now + Math.max(0, delayNanos), order++, lane, task));
  }

  /**
   * Moves the clock on by {@code nanos} at once, inside the task running now: a call that blocks
   * its thread for that long (a round trip to a store), during which nothing else runs. Tasks
   * that fell due meanwhile run late, after it.
   */
  void advance(long nanos) {
    now += Math.max(0, nanos);
  }

  /** Stalls the lane from {@code from} to {@code to}, in nanoseconds of this clock. */
  void stall(Lane lane, long from, long to) {
    TreeMap<Long, Long> s = stalls.computeIfAbsent(lane, l -> new TreeMap<>());
    Map.Entry<Long, Long> before = s.floorEntry(from);
    if (before != null && before.getValue() >= from) {
      from = before.getKey();
      to = Math.max(to, before.getValue());
    }
    for (Map.Entry<Long, Long> after = s.ceilingEntry(from); after != null && after.getKey() <= to;
        after = s.ceilingEntry(from)) {
      to = Math.max(to, after.getValue());
      s.remove(after.getKey());
    }
    s.put(from, to);
  }

  /** Runs due tasks, moving the clock, until {@code done} holds or nothing is left to run. */
  void runUntil(BooleanSupplier done) {
    while (!done.getAsBoolean()) {
      Task next = tasks.poll();
      if (next == null) {
        throw new IllegalStateException("nothing left to run at t=" + seconds() + " s, and not done");
      }
      long resume = stalledUntil(next.lane, next.at);
      if (resume > next.at) {
        tasks.add(new Task(resume, order++, next.lane, next.body));
        continue;
      }
      now = Math.max(now, next.at);
      next.body.run();
    }
  }

  /** When a task of the lane due at {@code at} can run: {@code at}, or the end of a stall. */
  private long stalledUntil(Lane lane, long at) {
    TreeMap<Long, Long> s = stalls.get(lane);
    Map.Entry<Long, Long> e = s == null ? null : s.floorEntry(at);
    return e != null && at < e.getValue() ? e.getValue() : at;
  }

  /** The same time as a {@link Clock}, for the simulator's token bucket. */
  Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochSecond(0, now);
      }
    };
  }
}

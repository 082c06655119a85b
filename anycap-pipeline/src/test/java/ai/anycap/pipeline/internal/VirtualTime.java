package ai.anycap.pipeline.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * Time that passes only when the test says so: tasks scheduled for later run in order of their
 * due time, and the clock jumps to each as it runs. Single-threaded and deterministic.
 */
final class VirtualTime implements RequestPacer.Timer {

  private record Task(long at, long order, Runnable body) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private long now;
  private long order;

  long nanoTime() {
    return now;
  }

  double seconds() {
    return now / 1e9;
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    tasks.add(new Task(now + Math.max(0, delayNanos), order++, task));
  }

  /** Runs due tasks, moving the clock, until {@code done} holds or nothing is left to run. */
  void runUntil(BooleanSupplier done) {
    while (!done.getAsBoolean()) {
      Task next = tasks.poll();
      if (next == null) {
        throw new IllegalStateException("nothing left to run at t=" + seconds() + " s, and not done");
      }
      now = Math.max(now, next.at);
      next.body.run();
    }
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

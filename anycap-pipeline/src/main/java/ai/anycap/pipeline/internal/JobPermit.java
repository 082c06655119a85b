package ai.anycap.pipeline.internal;

import java.util.concurrent.CompletableFuture;

/**
 * One job's hold on the pipeline's two pools of permits: a call permit while it makes its paid
 * call, then a delivery permit while it downloads its images and hands them to the sinks.
 *
 * <p>Why two: by Little's law a pipeline of concurrency C whose paid calls take L makes at most C/L
 * images a second, but only if the C slots are busy with calls. A job that kept its call permit
 * through its downloads and sinks left its slot idle for the service for that long (the
 * benchmark's Little's-law row: a 500 ms generate plus a 15 ms download and write held the slot 534
 * ms, 0.92 of C/L). The hand-over is hand over hand: the job takes its delivery permit before it
 * lets its call permit go, so that when downloads or sinks are slow, finished calls wait holding
 * their call permits and no new call starts: at most C calls and C deliveries are in flight.
 */
final class JobPermit {

  private final AsyncPermits calls;
  private final AsyncPermits deliveries;
  private boolean holdsCall = true;
  private boolean holdsDelivery;
  private boolean released;

  /** For a job that holds a permit of {@code calls}. */
  JobPermit(AsyncPermits calls, AsyncPermits deliveries) {
    this.calls = calls;
    this.deliveries = deliveries;
  }

  /** Completes once the job holds a delivery permit and no longer its call permit. */
  CompletableFuture<Void> toDelivery() {
    return deliveries.acquire().thenRun(() -> {
      boolean releaseCall;
      boolean releaseDelivery = false;
      synchronized (this) {
        releaseCall = holdsCall;
        holdsCall = false;
        // A job released while it waited (it cannot be, today) must not keep the permit it got.
        if (released) {
          releaseDelivery = true;
        } else {
          holdsDelivery = true;
        }
      }
      if (releaseCall) {
        calls.release();
      }
      if (releaseDelivery) {
        deliveries.release();
      }
    });
  }

  /** Gives back whichever permit the job holds; the second call does nothing. */
  void release() {
    boolean releaseCall;
    boolean releaseDelivery;
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
      releaseCall = holdsCall;
      releaseDelivery = holdsDelivery;
      holdsCall = false;
      holdsDelivery = false;
    }
    if (releaseCall) {
      calls.release();
    }
    if (releaseDelivery) {
      deliveries.release();
    }
  }
}

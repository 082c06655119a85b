package ai.anycap.pipeline.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A counting semaphore whose {@link #acquire()} returns a future instead of blocking, so that
 * jobs wait for a slot without holding a thread.
 */
public final class AsyncPermits {

  private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
  private final int limit;
  private int inUse;
  private int peak;

  public AsyncPermits(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    this.limit = limit;
  }

  /** Completes when a permit is held; the caller must {@link #release()} it exactly once. */
  public CompletableFuture<Void> acquire() {
    synchronized (this) {
      if (inUse < limit && waiters.isEmpty()) {
        take();
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> waiter = new CompletableFuture<>();
      waiters.add(waiter);
      return waiter;
    }
  }

  public void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      inUse--;
      next = handOver();
    }
    if (next != null) {
      next.complete(null);
    }
  }

  public synchronized int limit() {
    return limit;
  }

  public synchronized int inUse() {
    return inUse;
  }

  /** The most permits ever held at once. */
  public synchronized int peak() {
    return peak;
  }

  /** Fails every waiter, for shutdown; permits already held are unaffected. */
  public void cancelWaiters(RuntimeException cause) {
    java.util.List<CompletableFuture<Void>> failed;
    synchronized (this) {
      failed = new java.util.ArrayList<>(waiters);
      waiters.clear();
    }
    failed.forEach(w -> w.completeExceptionally(cause));
  }

  private CompletableFuture<Void> handOver() {
    while (inUse < limit && !waiters.isEmpty()) {
      CompletableFuture<Void> w = waiters.poll();
      if (!w.isDone()) {
        take();
        return w;
      }
    }
    return null;
  }

  private void take() {
    inUse++;
    peak = Math.max(peak, inUse);
  }
}

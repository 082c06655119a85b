package ai.anycap.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap left after garbage collections, from GC notifications: the smallest after any
 * collection the JVM chose since the last reading ({@link #takeKib}), and, on request, after a full
 * collection ({@link #collectKib}). The first is close to the live set but counts the old
 * generation's garbage that no collection has reached yet: under G1 in a 64 MiB heap it crept up
 * by 4 to 6 MiB over a 100,000-row CLI run whose live set (from {@code jmap -histo:live}) grew by
 * 0.25 MiB. The second is the live set itself.
 */
final class LiveHeap {

  /** Why {@link System#gc()} says a collection ran. */
  private static final String REQUESTED = "System.gc()";

  private final AtomicLong smallestAfterGc = new AtomicLong(Long.MAX_VALUE);
  /** Collections {@link #collectKib} asked for, and the heap left after the last; guarded by this. */
  private long requested;
  private long afterRequested = -1;
  private final Set<String> heapPools = heapPools();

  private LiveHeap() {}

  /** Starts listening to this JVM's collectors. */
  static LiveHeap watch() {
    LiveHeap heap = new LiveHeap();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((n, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                .filter(e -> heap.heapPools.contains(e.getKey()))
                .mapToLong(e -> e.getValue().getUsed())
                .sum();
            if (REQUESTED.equals(info.getGcCause())) {
              heap.requestedEnded(used); // not the JVM's choice: kept out of the smallest
            } else {
              heap.smallestAfterGc.accumulateAndGet(used, Math::min);
            }
          }
        }, null, null);
      }
    }
    return heap;
  }

  /** The smallest heap after a GC since the last call, in KiB; -1 when no GC ran since. */
  long takeKib() {
    long bytes = smallestAfterGc.getAndSet(Long.MAX_VALUE);
    return bytes == Long.MAX_VALUE ? -1 : bytes / 1024;
  }

  /**
   * Runs a full collection and returns the heap left after it, in KiB: the live set; -1 when no
   * notification of it came within ten seconds. (Under G1, {@code System.gc()} is a full, stop-the-
   * world collection unless {@code -XX:+ExplicitGCInvokesConcurrent} is given.)
   */
  long collectKib() {
    long before;
    synchronized (this) {
      before = requested;
    }
    System.gc();
    long deadline = System.nanoTime() + 10_000_000_000L;
    synchronized (this) {
      // The notification comes on the JVM's own thread, after the collection has returned.
      while (requested == before) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return -1;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return -1;
        }
      }
      return afterRequested / 1024;
    }
  }

  private synchronized void requestedEnded(long used) {
    afterRequested = used;
    requested++;
    notifyAll();
  }

  private static Set<String> heapPools() {
    Set<String> names = new HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        names.add(pool.getName());
      }
    }
    return names;
  }
}

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
 * The smallest heap left after any garbage collection since the last reading, from GC
 * notifications: close to the live set, it shows whether memory grows with the jobs done. Nothing
 * here forces a collection.
 */
final class LiveHeap {

  private final AtomicLong smallestAfterGc = new AtomicLong(Long.MAX_VALUE);
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
            heap.smallestAfterGc.accumulateAndGet(used, Math::min);
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

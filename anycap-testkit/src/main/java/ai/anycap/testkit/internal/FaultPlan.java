package ai.anycap.testkit.internal;

import ai.anycap.testkit.FaultKind;
import ai.anycap.testkit.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults installed on a simulator, each with its own request count, and the decision of which
 * one (if any) hits a request. Thread-safe; faults can be added and cleared while requests run.
 */
public final class FaultPlan {

  private static final long STREAM_BASE = 1000;

  private record Installed(Fault fault, long slot, AtomicLong seen) {}

  private final long seed;
  private final AtomicLong slots = new AtomicLong();
  private volatile List<Installed> installed = List.of();

  public FaultPlan(long seed, List<Fault> initial) {
    this.seed = seed;
    initial.forEach(this::add);
  }

  public synchronized void add(Fault fault) {
    List<Installed> next = new ArrayList<>(installed);
    next.add(new Installed(fault, slots.getAndIncrement(), new AtomicLong()));
    installed = List.copyOf(next);
  }

  public synchronized void clear() {
    installed = List.of();
  }

  public List<Fault> faults() {
    return installed.stream().map(Installed::fault).toList();
  }

  /**
   * Counts this request against every fault of its target and returns the first that fires, or
   * null.
   */
  public Fault pick(FaultKind.Target target) {
    List<Installed> current = installed;
    if (current.isEmpty()) {
      return null;
    }
    Fault hit = null;
    for (Installed i : current) {
      Fault f = i.fault();
      if (f.kind().target() != target) {
        continue;
      }
      long n = i.seen().incrementAndGet();
      if (hit == null && fires(f, i.slot(), n)) {
        hit = f;
      }
    }
    return hit;
  }

  private boolean fires(Fault f, long slot, long n) {
    if (!f.requests().isEmpty()) {
      return n <= Integer.MAX_VALUE && f.requests().contains((int) n);
    }
    double p = f.probability();
    return p >= 1.0 || (p > 0.0 && Seeds.uniform(seed, STREAM_BASE + slot, n) < p);
  }
}

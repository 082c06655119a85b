package ai.anycap.pipeline.internal;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Where a pace's {@link PaceState} lives. A pacer reads it before letting requests go and changes
 * it as answers teach it something; the learning itself is in {@link PaceLearner} and does not
 * care where the state is. {@link #local()} keeps it in this process, for one pipeline; a store
 * shared by several workers (one account, one rate limit) would keep it in Redis, applying each
 * change with a compare-and-set on a version, so that a 429 one worker sees slows them all.
 */
interface PaceStore {

  /** The state now. */
  PaceState current();

  /**
   * Applies {@code change} atomically and returns the state it produced. A shared store may call
   * {@code change} more than once (when another worker changed the state in between), so it must
   * depend on nothing but its argument and what the caller worked out before.
   */
  PaceState update(UnaryOperator<PaceState> change);

  /** A store in this process, starting from {@code initial}. */
  static PaceStore local(PaceState initial) {
    AtomicReference<PaceState> state = new AtomicReference<>(initial);
    return new PaceStore() {
      @Override
      public PaceState current() {
        return state.get();
      }

      @Override
      public PaceState update(UnaryOperator<PaceState> change) {
        return state.updateAndGet(change);
      }
    };
  }
}

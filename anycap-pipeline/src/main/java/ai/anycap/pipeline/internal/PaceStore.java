package ai.anycap.pipeline.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Where a pace's {@link PaceState} lives. A pacer reads it before letting requests go and changes
 * it as answers teach it something; the learning itself is in {@link PaceLearner} and does not
 * care where the state is. {@link #local} keeps it in this process, for one pipeline; {@link
 * SharedPaceStore} keeps it in a {@code SharedPace} that several workers on one account share,
 * applying each change with a compare-and-set on a version, so that a 429 one worker sees slows
 * them all, and hands out the moments requests may go from one schedule, so that together they
 * keep to the pace one would.
 */
interface PaceStore {

  /**
   * A moment a request may go, from a schedule shared with other pipelines.
   *
   * @param sequence its number among the requests of every pipeline sharing the schedule
   * @param at when it may go, on the pacer's clock
   * @param earlier when the other pipelines' requests since this one's last went (the pacer's
   *     clock, oldest first, the latest when the store did not keep them all)
   */
  record Slot(long sequence, long at, long[] earlier) {}

  /** The state now. */
  PaceState current();

  /**
   * Applies {@code change} atomically and returns the state it produced. A shared store may call
   * {@code change} more than once (when another worker changed the state in between), so it must
   * depend on nothing but its argument and what the caller worked out before.
   */
  PaceState update(UnaryOperator<PaceState> change);

  /**
   * Takes the next {@code count} moments requests may go from a schedule shared with other
   * pipelines, at {@code rate} a second, catching up at most {@code catchUp} intervals that went
   * unused; null when there is none (this store's pacer keeps its own schedule), or the shared one
   * cannot answer now. {@code after}: the sequence of this pacer's last request, whose later ones
   * the first slot lists (the others list none: they follow it).
   */
  default List<Slot> claim(long now, double rate, long catchUp, long after, int count) {
    return null;
  }

  /**
   * How many requests every pipeline sharing the store had sent when it last answered; 0 for a
   * store that is not shared.
   */
  default long sequence() {
    return 0;
  }

  /** Whether other pipelines share this store: then their pauses are announced here too. */
  default boolean shared() {
    return false;
  }

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

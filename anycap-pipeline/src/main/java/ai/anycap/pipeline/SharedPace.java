package ai.anycap.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * One pace for every pipeline that sends to the same AnyCap account, wherever they run: a store
 * the pipelines' request pacers share, so that N workers together keep under the account's rate
 * limit and learn it together ({@link ImagePipelineBuilder#sharedPace(SharedPace)}). A 429 one
 * worker gets pauses them all for its {@code Retry-After}, the pace one learns is the pace all
 * send at, and the pace is the account's: the workers take turns at it, so N workers together
 * send no faster than one would.
 *
 * <p>The store keeps three things and does no learning: a schedule (when the next request may
 * go), a pause (no request before it), and what the pipelines learned, as text only they read,
 * under a version. Both operations are atomic in the store, and both answer with the store's
 * clock, in microseconds: that one clock is the time base of every pipeline sharing the pace
 * (each works out how far its own clock is from it), so that machines whose clocks disagree
 * still pause together. {@code anycap-redis} keeps it in Redis ({@code
 * RedisJobQueue.sharedPace(account)}): two Lua scripts on one key, whose name never holds the API
 * key.
 *
 * <p>When the store cannot answer (it throws), the pipeline paces on its own with what it knew
 * last, and tries the store again a little later. Implementations must be thread-safe.
 */
public interface SharedPace {

  /**
   * Takes the next {@code count} moments requests may go, in one atomic step: each the later of
   * the schedule's next moment and the pause's end; or now, when both have passed (then as many
   * as {@code catchUpMicros} of schedule that went unused may be caught up at once, across the
   * moments taken). Moves the schedule {@code spacingMicros} past each moment taken.
   *
   * <p>A pipeline with several requests waiting takes a moment for each of them at once (at most
   * a few), so that one round trip to the store serves several requests: a pipeline that took one
   * moment a round trip sent at most one request per round trip, which on a busy machine (round
   * trips of 20 to 40 ms, three of them per request) held four workers together under 40 a
   * second whatever their pace.
   *
   * @param spacingMicros the time between two requests at the pace now; 0 while nothing paces
   * @param catchUpMicros how far behind the schedule may be taken up again; at least 0
   * @param after the sequence of the caller's last moment (0 for none): the answer brings the
   *     moments other pipelines took since, which is how each learns what the server saw from all
   * @param count how many moments to take, at least 1
   * @return the moments taken, numbered, with the store's clock, the version of what was learned,
   *     and the moments taken since {@code after}
   */
  Slot claim(long spacingMicros, long catchUpMicros, long after, int count);

  /**
   * Replaces the pause and what was learned, unless another pipeline replaced them since {@code
   * expectedVersion}: then nothing changes, and the answer says what is there now. A version
   * that was never written (such as -1) reads without writing.
   *
   * @param expectedVersion the version the change was worked out from
   * @param pausedUntil the pause's end on the store's clock, in microseconds; 0 for none
   * @param learned what the pipelines learned, as text they read back
   * @return what the store holds after the call, and whether this call wrote it
   */
  Snapshot compareAndSet(long expectedVersion, long pausedUntil, String learned);

  /**
   * Moments requests may go, taken together.
   *
   * @param sequence the number of the first moment among all taken from the store (from 1): how
   *     many requests every pipeline sharing the pace has sent, up to and including it; the others
   *     follow it, numbered {@code sequence + 1} and on
   * @param moments when each request may go, on the store's clock, in microseconds, oldest first;
   *     at least one
   * @param clock the store's clock when it answered, in microseconds
   * @param version the version of what was learned, so that a pipeline sees when another changed it
   * @param earlier the moments (store's clock, microseconds) numbered from the claim's {@code
   *     after} + 1 to {@code sequence} - 1, oldest first; a store that keeps only the latest gives
   *     those (the list ends just before the first moment taken either way)
   */
  record Slot(long sequence, List<Long> moments, long clock, long version, List<Long> earlier) {

    /**
     * Moments taken.
     *
     * @param sequence the number of the first among all taken
     * @param moments when each may go, oldest first; copied, at least one
     * @param clock the store's clock when it answered
     * @param version the version of what was learned
     * @param earlier the moments taken since the caller's last, oldest first; copied
     * @throws IllegalArgumentException if {@code moments} is empty
     */
    public Slot {
      moments = List.copyOf(Objects.requireNonNull(moments, "moments"));
      if (moments.isEmpty()) {
        throw new IllegalArgumentException("a slot takes at least one moment");
      }
      earlier = List.copyOf(Objects.requireNonNull(earlier, "earlier"));
    }

    /**
     * The first moment taken.
     *
     * @return when the first request may go, on the store's clock, in microseconds
     */
    public long at() {
      return moments.get(0);
    }
  }

  /**
   * What the store holds, after a compare-and-set.
   *
   * @param written whether this call wrote it
   * @param version how many times it was written; 0 for never
   * @param pausedUntil the pause's end on the store's clock, in microseconds; 0 for none
   * @param learned what the pipelines learned; empty when nothing was written yet
   * @param sequence how many moments had been taken when it answered (the number of the last
   *     moment taken): a pipeline that saw a 429 learns from it how many requests all of them
   *     had sent by then
   * @param clock the store's clock when it answered, in microseconds
   */
  record Snapshot(boolean written, long version, long pausedUntil, String learned, long sequence, long clock) {

    /**
     * What a store holds.
     *
     * @param written whether this call wrote it
     * @param version how many times it was written
     * @param pausedUntil the pause's end, in microseconds of the store's clock
     * @param learned what the pipelines learned; not null
     * @param sequence how many moments had been taken
     * @param clock the store's clock when it answered, in microseconds
     */
    public Snapshot {
      Objects.requireNonNull(learned, "learned");
    }
  }
}

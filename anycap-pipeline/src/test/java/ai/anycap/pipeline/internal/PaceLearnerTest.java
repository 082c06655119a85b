package ai.anycap.pipeline.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.AnyCapServiceException.ErrorDetails;
import ai.anycap.client.RateLimitException;
import ai.anycap.pipeline.internal.PaceState.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one verification round's 429 does to the pace, from a state set up by hand: the rounds the
 * model of a whole batch produces only now and then, here exactly.
 */
class PaceLearnerTest {

  private static final long SECOND = 1_000_000_000L;
  /** A clock well past zero, as a machine's monotonic clock is. */
  private static final long T0 = 5_000 * SECOND;

  @Test
  void aVerificationRoundRefusedForABunch_goesOnVerifying() {
    // Verifying at 20/s with a burst counted too high (38), a stall let 45 requests out within
    // 9 ms and the 46th was refused. A bucket that refuses it would refill at 800/s: the round
    // says the requests came in a bunch, not that the rate is 20. (Taken for the limit, it ended
    // verification at 19.8/s, where a shared pace held for a minute in the benchmark.)
    PaceStore store = PaceStore.local(verifying(20, 38, 21));
    PaceLearner learner = new PaceLearner(true, Double.POSITIVE_INFINITY, Duration.ofSeconds(60), store);
    List<RequestPacer.Ticket> sent = send(learner, T0, 46, SECOND / 5_000);

    refuse(learner, sent.get(45), T0 + 20_000_000L);
    accept(learner, sent.subList(0, 45), T0 + 100_000_000L);
    learner.settle(T0 + 2 * SECOND);

    assertThat(store.current().phase()).isEqualTo(Phase.VERIFYING);
    assertThat(store.current().rate()).isEqualTo(20.0);
    // ... and verification grows the pace on, while requests wait for it.
    RequestPacer.Ticket later = learner.released(T0 + 2 * SECOND, null);
    learner.answered(later, null, T0 + 4 * SECOND, true);
    assertThat(store.current().rate()).isGreaterThan(20 * Math.pow(1.02, 1.5));
  }

  @Test
  void aVerificationRoundRefusedAtTheLimit_endsVerification() {
    // Verifying at 60/s against a server of 55/s with a burst of 10: 120 requests go over two
    // seconds and the 121st is refused. The fit (55.5/s) is below the pace: that is the limit.
    PaceStore store = PaceStore.local(verifying(60, 10, 50));
    PaceLearner learner = new PaceLearner(true, Double.POSITIVE_INFINITY, Duration.ofSeconds(60), store);
    List<RequestPacer.Ticket> sent = send(learner, T0, 121, SECOND / 60);
    accept(learner, sent.subList(0, 119), T0 + 2 * SECOND);

    refuse(learner, sent.get(120), T0 + 2 * SECOND + 50_000_000L);
    learner.settle(T0 + 4 * SECOND);

    assertThat(store.current().phase()).isEqualTo(Phase.HOLDING);
    assertThat(store.current().limit()).isBetween(55.0, 56.0);
    assertThat(store.current().rate()).isBetween(54.0, 55.5);
  }

  private static PaceState verifying(double rate, double burst, double limit) {
    return new PaceState(rate, Phase.VERIFYING, 3, Long.MIN_VALUE, burst, limit, T0 - SECOND,
        PaceLearner.HOLD_SECONDS, T0, Long.MIN_VALUE, 1.02, 0);
  }

  private static List<RequestPacer.Ticket> send(PaceLearner learner, long from, int count, long apart) {
    List<RequestPacer.Ticket> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(learner.released(from + i * apart, null));
    }
    return sent;
  }

  private static void accept(PaceLearner learner, List<RequestPacer.Ticket> tickets, long at) {
    for (RequestPacer.Ticket t : tickets) {
      learner.answered(t, null, at, false);
    }
  }

  private static void refuse(PaceLearner learner, RequestPacer.Ticket ticket, long at) {
    learner.answered(ticket, new RateLimitException(
        ErrorDetails.builder(429).errorCode("RATE_LIMITED").retryAfter(Duration.ofSeconds(1)).build()), at, false);
  }
}

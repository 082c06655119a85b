package ai.anycap.pipeline.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a round's log says of when the requests of workers sharing a schedule went. */
class RoundLogTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000_000 * MS;

  @Test
  void theOtherWorkersRequests_areLoggedAsLateAfterTheirMomentsAsThisWorkersOwnGo() {
    // Four workers take turns at one schedule, a moment every 10 ms; this one's requests go
    // 100 ms after their moments (a busy machine: the benchmark's workers went 30 to 170 ms
    // late), and so, most likely, do the others'. Logged at their moments, the others' requests
    // made a round look as if more had reached the server early than did: the fit took the
    // difference for burst, and gave a rate some percent low.
    RoundLog log = new RoundLog(new AcceptedRate());
    log.follow(PaceState.initial(PaceLearner.HOLD_SECONDS), T0);
    RequestPacer.Ticket last = null;
    for (int k = 0; k < 40; k++) {
      long mine = T0 + (4 * k + 4) * 10 * MS;
      long[] earlier = {mine - 30 * MS, mine - 20 * MS, mine - 10 * MS};
      long sequence = log.released(mine + 100 * MS, new PaceStore.Slot(4 * k + 4, mine, earlier));
      last = new RequestPacer.Ticket(0, sequence, mine + 100 * MS);
    }

    Round round = log.upTo(last);
    long[] sentAt = round.sentAt();
    // The last three before the refused one are the others', given moments 30, 20 and 10 ms before it.
    long lastMoment = T0 + 160 * 10 * MS;
    for (int i = 1; i <= 3; i++) {
      long logged = sentAt[sentAt.length - i];
      long moment = lastMoment - 10 * MS * i;
      assertThat((logged - moment) / (double) MS).as("logged after its moment, ms").isBetween(90.0, 100.0);
    }
    // And never after this worker's own request that followed them.
    assertThat(sentAt[sentAt.length - 1]).isLessThanOrEqualTo(last.sentAt());
  }
}

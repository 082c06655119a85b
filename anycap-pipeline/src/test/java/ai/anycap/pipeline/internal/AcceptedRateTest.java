package ai.anycap.pipeline.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * What the server demonstrably let through, alone and with a pace shared by several pipelines
 * (each seeing the answers to its own requests only, and every pipeline's sends on the schedule).
 */
class AcceptedRateTest {

  private static final long SECOND = 1_000_000_000L;
  private static final double BURST = 10;

  /** 50 requests a second for 12 s, every {@code every}-th of them this pipeline's; {@code refused} of its own per second refused. */
  private static AcceptedRate sending(int every, int refusedPerSecond) {
    AcceptedRate rate = new AcceptedRate();
    for (int s = 0; s < 12; s++) {
      int refused = 0;
      for (int i = 0; i < 50; i++) {
        long at = s * SECOND + i * (SECOND / 50);
        if (i % every != 0) {
          rate.othersSent(at);
          continue;
        }
        rate.sent(at);
        if (refused < refusedPerSecond) {
          refused++;
        } else {
          rate.accepted(at);
        }
      }
    }
    return rate;
  }

  @Test
  void alone_countsItsOwnSuccesses() {
    AcceptedRate rate = sending(1, 0);
    assertThat(rate.demonstrated(12 * SECOND, BURST)).isCloseTo((500 - BURST) / 10, within(1e-9));
    assertThat(rate.bestOverTwoSeconds()).isCloseTo(50, within(1e-9));
  }

  @Test
  void sharedByFour_countsWhatAllOfThemGotThrough_fromThisOnesShare() {
    AcceptedRate rate = sending(4, 0);
    // From its own successes alone this worker would say 12.5 a second: a floor at a quarter of the account's.
    assertThat(rate.demonstrated(12 * SECOND, BURST)).isCloseTo((500 - BURST) / 10, within(1e-9));
    assertThat(rate.bestOverTwoSeconds()).isCloseTo(50, within(1e-9));
  }

  @Test
  void sharedByFour_withRefusals_countsOnlyTheShareThatWentThrough() {
    AcceptedRate rate = sending(4, 1); // 1 of its 13 a second refused
    double share = 12.0 / 13;
    assertThat(rate.demonstrated(12 * SECOND, BURST)).isCloseTo((500 * share - BURST) / 10, within(1e-9));
  }

  @Test
  void requestsNotYetAnswered_countAsNotThrough() {
    AcceptedRate rate = sending(4, 0);
    for (int i = 0; i < 100; i++) { // a second twice as busy, whose answers have not come back yet
      long at = 12 * SECOND + i * (SECOND / 100);
      if (i % 4 == 0) {
        rate.sent(at);
      } else {
        rate.othersSent(at);
      }
    }
    rate.othersSent(13 * SECOND);
    // Counted as sent, the window ending with it would say 55 a second less the burst.
    assertThat(rate.demonstrated(14 * SECOND, BURST)).isCloseTo((500 - BURST) / 10, within(1e-9));
  }

  @Test
  void theBestTwoSeconds_outliveTheSecondsKept() {
    AcceptedRate rate = sending(4, 0);
    for (int s = 12; s < 100; s++) { // then a quieter minute and more: 10 a second
      for (int i = 0; i < 10; i++) {
        rate.sent(s * SECOND + i * (SECOND / 10));
        rate.accepted(s * SECOND + i * (SECOND / 10));
      }
    }
    assertThat(rate.bestOverTwoSeconds()).isCloseTo(50, within(1e-9));
    assertThat(rate.demonstrated(100 * SECOND, BURST)).as("the last minute's").isCloseTo((100 - BURST) / 10, within(1e-9));
    AcceptedRate gap = sending(1, 0);
    gap.sent(500 * SECOND); // nothing for minutes
    assertThat(gap.bestOverTwoSeconds()).isCloseTo(50, within(1e-9));
  }
}

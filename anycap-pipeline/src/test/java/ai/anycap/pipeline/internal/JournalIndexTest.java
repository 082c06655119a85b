package ai.anycap.pipeline.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.pipeline.internal.JournalIndex.State;
import org.junit.jupiter.api.Test;

class JournalIndexTest {

  @Test
  void remembersEachJobsLatestStateAndRequest_acrossGrowth() {
    JournalIndex index = new JournalIndex();
    for (int i = 0; i < 20_000; i++) {
      index.put("job-" + i, State.GENERATED, i + 1);
    }
    for (int i = 0; i < 20_000; i += 2) {
      index.put("job-" + i, State.SUCCEEDED, -(i + 1));
    }
    assertThat(index.size()).isEqualTo(20_000);
    for (int i = 0; i < 20_000; i++) {
      boolean even = i % 2 == 0;
      assertThat(index.state("job-" + i)).as("job-%d", i).isEqualTo(even ? State.SUCCEEDED : State.GENERATED);
      assertThat(index.request("job-" + i)).as("job-%d", i).isEqualTo(even ? -(i + 1) : i + 1);
    }
    assertThat(index.state("job-20000")).isEqualTo(State.UNKNOWN);
    assertThat(index.request("job-20000")).isZero();
  }

  @Test
  void growsByHalf_notToTheNextPowerOfTwo() {
    JournalIndex index = new JournalIndex();
    for (int i = 0; i < 100_000; i++) {
      index.put("job-" + i, State.SUCCEEDED, i + 1);
    }
    // At most three quarters full, and at most half again what that needs: 17 bytes a slot.
    assertThat(index.capacity()).isBetween(100_000 * 4 / 3, 100_000 * 4 / 3 * 3 / 2 + 1);
  }

  @Test
  void reserve_makesRoomOnce_soThatABatchOfThatSizeGrowsNothing() {
    JournalIndex index = new JournalIndex();
    for (int i = 0; i < 1_000; i++) {
      index.put("earlier-" + i, State.FAILED, 7);
    }
    index.reserve(100_000);
    int reserved = index.capacity();
    // 17 bytes a slot, at most three quarters full: under 23 bytes a job.
    assertThat(reserved * 17L).isLessThan(101_000 * 23L);
    for (int i = 0; i < 100_000; i++) {
      index.put("job-" + i, State.GENERATED, i + 1);
      index.put("job-" + i, State.SUCCEEDED, i + 1);
    }
    assertThat(index.capacity()).isEqualTo(reserved);
    assertThat(index.size()).isEqualTo(101_000);
    assertThat(index.state("earlier-999")).isEqualTo(State.FAILED);
    assertThat(index.state("job-99999")).isEqualTo(State.SUCCEEDED);
    assertThat(index.request("job-99999")).isEqualTo(100_000);
  }

  @Test
  void reserve_neverShrinksNorGrowsWhenThereIsRoom() {
    JournalIndex index = new JournalIndex();
    index.reserve(10_000);
    int reserved = index.capacity();
    index.reserve(5_000);
    index.reserve(-1);
    assertThat(index.capacity()).isEqualTo(reserved);
    index.put("a", State.SUCCEEDED, 1);
    assertThat(index.state("a")).isEqualTo(State.SUCCEEDED);
  }
}

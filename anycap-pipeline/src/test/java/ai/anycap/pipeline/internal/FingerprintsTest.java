package ai.anycap.pipeline.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FingerprintsTest {

  @Test
  void remembersEveryStringWithItsValue_acrossGrowth() {
    Fingerprints seen = new Fingerprints();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.putIfAbsent("job-" + i, i)).isEqualTo(Fingerprints.ABSENT);
    }
    for (int i = 0; i < 10_000; i += 7) {
      assertThat(seen.putIfAbsent("job-" + i, -1)).as("job-%d keeps its first value", i).isEqualTo(i);
    }
    assertThat(seen.putIfAbsent("job-10000", 5)).isEqualTo(Fingerprints.ABSENT);
  }

  @Test
  void tellsApartFingerprintsThatShareASlot() {
    Fingerprints seen = new Fingerprints();
    // Same slot (high ^ low is equal), different fingerprints.
    assertThat(seen.putIfAbsent(1, 2, 10)).isEqualTo(Fingerprints.ABSENT);
    assertThat(seen.putIfAbsent(2, 1, 20)).isEqualTo(Fingerprints.ABSENT);
    assertThat(seen.putIfAbsent(1, 2, 30)).isEqualTo(10);
    assertThat(seen.putIfAbsent(2, 1, 40)).isEqualTo(20);
  }
}

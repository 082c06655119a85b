package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  @Test
  void grantsTheBurst_thenOnePermitPerInterval() {
    Instant[] now = {Instant.parse("2030-01-01T00:00:00Z")};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    TokenBucket bucket = new TokenBucket(4, 2, clock);

    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isEqualTo(Duration.ofMillis(250).toNanos());

    now[0] = now[0].plusMillis(100);
    assertThat(bucket.tryAcquire()).isEqualTo(Duration.ofMillis(150).toNanos());
    now[0] = now[0].plusMillis(150);
    assertThat(bucket.tryAcquire()).isZero();

    now[0] = now[0].plusSeconds(60);
    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).isZero();
    assertThat(bucket.tryAcquire()).as("never more than the burst").isPositive();
  }
}

package ai.anycap.spring;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ServiceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether AnyCap answers and accepts the key: {@code GET /v1/status}, which costs
 * nothing, with the endpoint, the server's version and the credit balance as details. Down when
 * the call fails or the server says the key is not authenticated. An answer is reused for a while
 * ({@code anycap.health.cache-time-to-live}, 30 s by default), so that a probe every few seconds
 * does not call the API every few seconds.
 *
 * <p>Not part of the liveness group: an API that cannot be reached is no reason to restart the
 * application. Add it to readiness ({@code management.endpoint.health.group.readiness.include})
 * if batches are all the application does.
 */
public final class AnyCapHealthIndicator implements HealthIndicator {

  private final AnyCapClient client;
  private final Duration timeToLive;
  private final Clock clock;
  private Health cached;
  private Instant cachedAt;

  /**
   * A health indicator.
   *
   * @param client the client whose endpoint and key are checked
   * @param timeToLive how long an answer is reused; zero to call every time
   * @param clock the clock the time to live is measured on
   */
  public AnyCapHealthIndicator(AnyCapClient client, Duration timeToLive, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.timeToLive = Objects.requireNonNull(timeToLive, "timeToLive");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The health, from the last answer when it is recent enough.
   *
   * @return up, with details; or down, with the error
   */
  @Override
  public synchronized Health health() {
    Instant now = clock.instant();
    if (cached == null || !now.isBefore(cachedAt.plus(timeToLive))) {
      cached = check();
      cachedAt = now;
    }
    return cached;
  }

  private Health check() {
    String endpoint = client.endpoint().toString();
    try {
      ServiceStatus status = client.status();
      Health.Builder b = status.authenticated().orElse(true)
          ? Health.up()
          : Health.down().withDetail("error", "the API key is not authenticated");
      status.version().ifPresent(v -> b.withDetail("version", v));
      status.creditBalance().ifPresent(c -> b.withDetail("creditBalance", c));
      return b.withDetail("endpoint", endpoint).build();
    } catch (RuntimeException e) {
      // The client's messages never hold the key.
      return Health.down().withDetail("endpoint", endpoint)
          .withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
    }
  }
}

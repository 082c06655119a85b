package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapException;
import ai.anycap.client.AnyCapIoException;
import ai.anycap.client.DownloadException;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.RateLimitException;
import ai.anycap.client.ServerException;
import ai.anycap.client.UnexpectedResponseException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every fault, injected into the simulator and observed through the real anycap-client. */
@Timeout(30)
class FaultInjectionTest {

  @TempDir Path dir;

  private static ImageRequest request(int i) {
    return ImageRequest.builder().model("nano-banana-2").prompt("fault test " + i).build();
  }

  /** Runs {@code n} sequential generates; true where one failed. */
  private static List<Boolean> failures(AnyCapClient client, int n) {
    List<Boolean> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      try {
        client.images().generate(request(i));
        out.add(false);
      } catch (AnyCapException e) {
        out.add(true);
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504})
  void serverError_structuredEnvelope_isRetryable_andCostsNothing(int status) {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.serverError(status)).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            assertThat(e.errorCode()).isPresent();
            assertThat(e.retryable()).isTrue();
            assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
          });
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, status)).isEqualTo(1);
      assertThat(c.imagesGenerated()).isZero();
      assertThat(c.creditsCharged()).isZero();
    }
  }

  @Test
  void serverError_flatEnvelope_isReadToo() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.serverError(503).flatEnvelope()).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(503);
            assertThat(e.errorCode()).contains("upstream_unavailable");
            assertThat(e.hint()).contains("retry later");
            assertThat(e.requestId()).isPresent();
            assertThat(e.retryable()).isTrue();
          });
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 503)).isEqualTo(1);
      assertThat(sim.counters().imagesGenerated()).isZero();
    }
  }

  @Test
  void serverErrorAfterGeneration_isBilledThoughTheClientSawAnError() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .credits(5).fault(Fault.serverError(502).afterGeneration()).start()) {
      ImageRequest r = request(1);
      assertThatThrownBy(() -> sim.client().images().generate(r)).isInstanceOf(ServerException.class);

      SimulatorCounters c = sim.counters();
      assertThat(c.imagesGenerated()).isEqualTo(1);
      assertThat(c.timesGenerated(r)).isEqualTo(1);
      assertThat(sim.creditBalance()).isEqualTo(4);
    }
  }

  @Test
  void rateLimited_sendsRetryAfterInSeconds() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .fault(Fault.rateLimited(Duration.ofMillis(2500)).onNthRequest(1)).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(429);
            assertThat(e.errorCode()).contains("RATE_LIMITED");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
            assertThat(e.retryable()).isTrue();
          });
      sim.client().images().generate(request(1));
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 429)).isEqualTo(1);
      assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
    }
  }

  @Test
  void rateLimited_sendsRetryAfterAsAnHttpDate() {
    MutableClock clock = MutableClock.at("2030-05-06T07:08:09Z");
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .clock(clock).fault(Fault.rateLimited(Duration.ofSeconds(7)).httpDate().flatEnvelope()).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
            assertThat(e.errorCode()).contains("rate_limited");
          });
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 429)).isEqualTo(1);
      assertThat(sim.counters().imagesGenerated()).isZero();
    }
  }

  @Test
  void rateLimited_httpDateOnTheWire_isAnImfFixdate() throws Exception {
    MutableClock clock = MutableClock.at("2030-05-06T07:08:09Z");
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .clock(clock).fault(Fault.rateLimited(Duration.ofSeconds(7)).httpDate()).start()) {
      var response = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(sim.baseUri().resolve("/v1/image/generate"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
      assertThat(response.headers().firstValue("Retry-After")).contains("Mon, 06 May 2030 07:08:16 GMT");
    }
  }

  @Test
  void doNotRetry_isA5xxTheClientMustNotRetry() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.doNotRetry()).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(500);
            assertThat(e.retryable()).isFalse();
          });
      sim.clearFaults();
      sim.addFault(Fault.doNotRetry().flatEnvelope());
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.retryable()).isFalse());
      assertThat(sim.counters().imagesGenerated()).isZero();
    }
  }

  @Test
  void resetConnection_isAnIoFailure_andBeforeGenerationCostsNothing() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.resetConnection().onNthRequest(1)).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(AnyCapIoException.class, e -> assertThat(e.mayHaveReachedServer()).isTrue());

      assertThat(sim.client().images().generate(request(1)).outputs()).hasSize(1);
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 0)).isEqualTo(1);
      assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(1);
      assertThat(c.imagesGenerated()).isEqualTo(1);
    }
  }

  @Test
  void resetAfterGeneration_billsAnImageTheClientNeverSaw() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .fault(Fault.resetConnection().afterGeneration().onNthRequest(1)).start()) {
      ImageRequest r = request(1);
      assertThatThrownBy(() -> sim.client().images().generate(r)).isInstanceOf(AnyCapIoException.class);
      sim.client().images().generate(r);

      SimulatorCounters c = sim.counters();
      assertThat(c.timesGenerated(r)).isEqualTo(2);
      assertThat(c.duplicateGenerations()).isEqualTo(1);
      assertThat(c.creditsCharged()).isEqualTo(2);
    }
  }

  @Test
  void hang_outlastsAClientTimeout_yetTheServerStillGeneratesAndBills() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.hang(Duration.ofMillis(600))).start()) {
      AnyCapClient impatient = sim.clientBuilder().generateTimeout(Duration.ofMillis(150)).build();

      assertThatThrownBy(() -> impatient.images().generate(request(1)))
          .isInstanceOfSatisfying(AnyCapIoException.class, e -> {
            assertThat(e.getMessage()).contains("timed out");
            assertThat(e.mayHaveReachedServer()).isTrue();
          });
      SimulatorCounters c = sim.awaitCounters(x -> x.imagesGenerated() == 1, Duration.ofSeconds(10));
      assertThat(c.creditsCharged()).isEqualTo(1);
    }
  }

  @Test
  void hang_answersLate_toAPatientClient() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.hang(Duration.ofMillis(300))).start()) {
      long t0 = System.nanoTime();
      ImageGeneration g = sim.client().images().generate(request(1));

      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(g.outputs()).hasSize(1);
    }
  }

  @Test
  void hangAfterGeneration_generatesAtOnce_andCloseDropsTheHeldAnswer() {
    AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.hang(Duration.ofMinutes(5)).afterGeneration()).start();
    try {
      CompletableFuture<ImageGeneration> held = sim.client().images().generateAsync(request(1));
      SimulatorCounters c = sim.awaitCounters(x -> x.imagesGenerated() == 1, Duration.ofSeconds(10));
      assertThat(c.inFlight()).isEqualTo(1);
      assertThat(held).isNotDone();

      sim.close();
      assertThatThrownBy(held::join).hasCauseInstanceOf(AnyCapIoException.class);
    } finally {
      sim.close();
    }
  }

  @Test
  void malformedJson_isAnUnreadable2xx_thatWasStillBilled() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.malformedJson()).start()) {
      assertThatThrownBy(() -> sim.client().images().generate(request(1)))
          .isInstanceOfSatisfying(UnexpectedResponseException.class, e -> assertThat(e.statusCode()).isEqualTo(200));
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(1);
      assertThat(c.imagesGenerated()).isEqualTo(1);
      assertThat(c.creditsCharged()).isEqualTo(1);
    }
  }

  @Test
  void truncatedDownload_failsAsTransport_leavesNoFile_andTheNextTryWorks() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.truncatedDownload().onNthRequest(1)).start()) {
      AnyCapClient client = sim.client();
      URI url = client.images().generate(request(1)).firstOutput();
      Path target = dir.resolve("t.png");

      assertThatThrownBy(() -> client.images().download(url, target))
          .isInstanceOfSatisfying(DownloadException.class, e -> {
            assertThat(e.reason()).isEqualTo(DownloadException.Reason.TRANSPORT);
            assertThat(e.retryable()).isTrue();
          });
      assertThat(target).doesNotExist();

      client.images().download(url, target);
      assertThat(target).exists();
      assertThat(sim.counters().requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(2);
      assertThat(sim.counters().imagesGenerated()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {403, 404})
  void artifactStatus_failsTheDownloadWithThatStatus(int status) {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.artifactStatus(status)).start()) {
      AnyCapClient client = sim.client();
      URI url = client.images().generate(request(1)).firstOutput();

      assertThatThrownBy(() -> client.images().download(url, dir.resolve("x.png")))
          .isInstanceOfSatisfying(DownloadException.class, e -> {
            assertThat(e.reason()).isEqualTo(DownloadException.Reason.HTTP_STATUS);
            assertThat(e.statusCode()).hasValue(status);
            assertThat(e.retryable()).isFalse();
          });
      assertThat(sim.counters().requests(SimulatorCounters.DOWNLOAD, status)).isEqualTo(1);
    }
  }

  @Test
  void slowDownload_overADuration_arrivesWhole_andNoSooner() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.slowDownload(Duration.ofMillis(400))).start()) {
      AnyCapClient client = sim.client();
      URI url = client.images().generate(request(1)).firstOutput();
      long t0 = System.nanoTime();
      Path file = client.images().download(url, dir.resolve("slow.png"));

      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(ai.anycap.client.ImageFormat.detect(file)).isPresent();
      assertThat(sim.counters().requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(1);
    }
  }

  @Test
  void slowDownload_inBytesPerSecond_outlastsAShortDownloadTimeout() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.slowDownload(200)).start()) {
      AnyCapClient client = sim.clientBuilder().downloadTimeout(Duration.ofMillis(300)).build();
      URI url = client.images().generate(request(1)).firstOutput();

      assertThatThrownBy(() -> client.images().download(url, dir.resolve("s.png")))
          .isInstanceOfSatisfying(DownloadException.class, e -> {
            assertThat(e.reason()).isEqualTo(DownloadException.Reason.TRANSPORT);
            assertThat(e.getMessage()).contains("timed out");
          });
      assertThat(dir.resolve("s.png")).doesNotExist();
      assertThat(sim.counters().requests(SimulatorCounters.DOWNLOAD, 200))
          .as("counted when the answer started").isEqualTo(1);
    }
  }

  @Test
  void onNthRequest_hitsThatRequestOnly() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.serverError(500).onNthRequest(3)).start()) {
      assertThat(failures(sim.client(), 5)).containsExactly(false, false, true, false, false);
    }
  }

  @Test
  void onRequests_hitsEachListedRequest() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.serverError(503).onRequests(1, 2, 5)).start()) {
      assertThat(failures(sim.client(), 6)).containsExactly(true, true, false, false, true, false);
      assertThat(sim.counters().requests(SimulatorCounters.GENERATE, 503)).isEqualTo(3);
    }
  }

  @Test
  void probability_isReproducibleWithTheSeed() {
    Fault flaky = Fault.serverError(503).probability(0.3);
    List<Boolean> first;
    List<Boolean> second;
    List<Boolean> otherSeed;
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(42).fault(flaky).start()) {
      first = failures(sim.client(), 60);
    }
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(42).fault(flaky).start()) {
      second = failures(sim.client(), 60);
    }
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(43).fault(flaky).start()) {
      otherSeed = failures(sim.client(), 60);
    }
    assertThat(second).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
    assertThat(first.stream().filter(b -> b).count()).isBetween(8L, 32L);
  }

  @Test
  void probabilityZeroNeverFires_andOneAlwaysFires() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder().fault(Fault.serverError(500).probability(0)).start()) {
      assertThat(failures(sim.client(), 10)).containsOnly(false);
      sim.addFault(Fault.serverError(500).probability(1));
      assertThat(failures(sim.client(), 10)).containsOnly(true);
    }
  }

  @Test
  void faultsAddedAtRuntimeCountFromTheirInstallation_andClearRemovesThem() {
    try (AnyCapSimulator sim = AnyCapSimulator.create()) {
      failures(sim.client(), 3);
      sim.addFault(Fault.serverError(500).onNthRequest(2));
      assertThat(failures(sim.client(), 3)).containsExactly(false, true, false);
      assertThat(sim.faults()).hasSize(1);

      sim.clearFaults();
      assertThat(failures(sim.client(), 3)).containsOnly(false);
      assertThat(sim.faults()).isEmpty();
    }
  }

  @Test
  void theFirstInstalledFaultWins_andEveryFaultCountsEveryRequest() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .fault(Fault.serverError(502).onRequests(1))
        .fault(Fault.serverError(503).onRequests(1, 2))
        .start()) {
      failures(sim.client(), 3);
      SimulatorCounters c = sim.counters();
      assertThat(c.requests(SimulatorCounters.GENERATE, 502)).isEqualTo(1);
      assertThat(c.requests(SimulatorCounters.GENERATE, 503)).isEqualTo(1);
      assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(1);
    }
  }

  @Test
  void downloadFaultsLeaveGenerateAlone_andTheOtherWayRound() {
    try (AnyCapSimulator sim = AnyCapSimulator.builder()
        .fault(Fault.artifactStatus(404).onNthRequest(1))
        .fault(Fault.serverError(500).onNthRequest(2))
        .start()) {
      AnyCapClient client = sim.client();
      URI url = client.images().generate(request(1)).firstOutput();
      assertThatThrownBy(() -> client.images().download(url, dir.resolve("a.png"))).isInstanceOf(DownloadException.class);
      assertThatThrownBy(() -> client.images().generate(request(2))).isInstanceOf(ServerException.class);
      client.images().download(url, dir.resolve("a.png"));
      assertThat(dir.resolve("a.png")).exists();
    }
  }
}

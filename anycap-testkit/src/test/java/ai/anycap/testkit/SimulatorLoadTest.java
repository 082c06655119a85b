package ai.anycap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives thousands of generate-plus-download round trips through the real client, each with a
 * distinct prompt (so every image is rendered, none served from the cache), and prints the rate
 * reached. It asserts what was served, never how fast: timing belongs in the printed line.
 *
 * <p>{@code -Danycap.load.roundTrips=20000 -Danycap.load.concurrency=64 -Danycap.load.warmup=5000}
 * change the run. The printed line also gives the CPU time per round trip, in all and in the
 * simulator's own threads, which says what the simulator could serve with the client elsewhere.
 */
@Tag("load")
class SimulatorLoadTest {

  @Test
  void servesThousandsOfGenerateAndDownloadRoundTrips(@TempDir Path dir) throws Exception {
    int roundTrips = Integer.getInteger("anycap.load.roundTrips", 5_000);
    int concurrency = Integer.getInteger("anycap.load.concurrency", 32);
    int warmup = Integer.getInteger("anycap.load.warmup", 2_000);
    try (AnyCapSimulator sim = AnyCapSimulator.builder().seed(7).start()) {
      AnyCapClient client = sim.client();

      run(client, dir.resolve("warmup"), "warm-up", warmup, concurrency);
      sim.resetCounters();

      long serverCpu = serverCpuNanos();
      long processCpu = processCpuNanos();
      long started = System.nanoTime();
      run(client, dir.resolve("measured"), "measured", roundTrips, concurrency);
      double seconds = (System.nanoTime() - started) / 1e9;
      double serverMicros = (serverCpuNanos() - serverCpu) / 1e3 / roundTrips;
      double processMicros = (processCpuNanos() - processCpu) / 1e3 / roundTrips;

      SimulatorCounters c = sim.counters();
      int cores = Runtime.getRuntime().availableProcessors();
      System.out.printf(
          Locale.ROOT,
          "SimulatorLoadTest: %d generate+download round trips in %.2f s = %.0f round trips/s"
              + " (%d concurrent, %d cores, peak in flight %d); CPU per round trip: %.0f us in"
              + " all, %.0f us in the simulator's threads (alone it would serve ~%.0f/s on %d cores)%n",
          roundTrips, seconds, roundTrips / seconds, concurrency, cores, c.peakInFlight(),
          processMicros, serverMicros, cores * 1e6 / serverMicros, cores);

      assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(roundTrips);
      assertThat(c.requests(SimulatorCounters.DOWNLOAD, 200)).isEqualTo(roundTrips);
      assertThat(c.requests(SimulatorCounters.GENERATE)).isEqualTo(roundTrips);
      assertThat(c.imagesGenerated()).isEqualTo(roundTrips);
      assertThat(c.creditsCharged()).isEqualTo(roundTrips);
      assertThat(c.duplicateGenerations()).isZero();
      assertThat(c.peakInFlight()).isLessThanOrEqualTo(2 * concurrency);
      assertThat(c.peakGeneratesInFlight()).isLessThanOrEqualTo(concurrency);
      assertThat(c.protocolViolations()).isEmpty();
      try (Stream<Path> files = Files.list(dir.resolve("measured"))) {
        assertThat(files.count()).isEqualTo(roundTrips);
      }
    }
  }

  /** CPU time of the simulator's threads: its workers, timer, and the JDK server's dispatcher. */
  private static long serverCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("anycap-simulator-") || t.getName().equals("HTTP-Dispatcher")) {
        total += Math.max(0, mx.getThreadCpuTime(t.getId()));
      }
    }
    return total;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void run(AnyCapClient client, Path dir, String label, int n, int concurrency)
      throws InterruptedException, IOException {
    Files.createDirectories(dir);
    Semaphore slots = new Semaphore(concurrency);
    List<CompletableFuture<Path>> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slots.acquire();
      ImageRequest request =
          ImageRequest.builder()
              .model(i % 3 == 0 ? "seedream-5" : "nano-banana-2")
              .prompt(label + " image " + i + ": a lighthouse on a cliff at dusk, oil painting")
              .param("aspect_ratio", i % 2 == 0 ? "16:9" : "1:1")
              .build();
      Path target = dir.resolve(i + ".png");
      CompletableFuture<Path> f =
          client
              .images()
              .generateAsync(request)
              .thenCompose(g -> client.images().downloadAsync(g.firstOutput(), target));
      f.whenComplete((p, e) -> slots.release());
      all.add(f);
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
  }
}

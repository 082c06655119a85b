package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C in the middle of a run, delivered as the JVM delivers it: a stop on a thread of its own. */
class InterruptTest {

  @TempDir Path tmp;
  AnyCapSimulator api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void ctrlC_finishesTheRunningJobs_countsEveryJobNeverStarted_writesTheGallery_andExits130() throws Exception {
    // From the third on, every generate hangs for a second: the batch is still running when Ctrl-C comes.
    api = AnyCapSimulator.builder().seed(3)
        .fault(Fault.hang(Duration.ofSeconds(1)).onRequests(IntStream.rangeClosed(3, 20).toArray()))
        .start();
    Map<String, String> env = Map.of("ANYCAP_API_KEY", "ak_test_cli", "ANYCAP_API_ENDPOINT", api.baseUri().toString());
    CtrlC ctrlC = new CtrlC();
    CompletableFuture<Void> pressed = CompletableFuture.runAsync(() -> {
      api.awaitCounters(c -> c.requests(SimulatorCounters.GENERATE) >= 4, Duration.ofMinutes(2));
      ctrlC.press();
    });
    Path out = tmp.resolve("output");

    CliRun run = CliRun.of(e -> e.withInterrupts(ctrlC), env, CliRun.sampleRun(out, "--concurrency", "2"));

    pressed.get(2, TimeUnit.MINUTES);
    assertThat(ctrlC.returned.await(2, TimeUnit.MINUTES)).as("the stop returns once the run has finished").isTrue();
    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.INTERRUPTED).isEqualTo(130);
    long generated = api.counters().requests(SimulatorCounters.GENERATE);
    long cancelled = 20 - generated;
    assertThat(generated).as("jobs running at Ctrl-C finish; none starts after").isBetween(4L, 19L);
    assertThat(run.err()).contains("stopping: no new jobs start");
    assertThat(run.out()).contains("Batch cancelled:").containsPattern("succeeded +" + generated + "\n")
        .containsPattern("skipped +" + cancelled + " \\(" + cancelled + " cancelled\\)");
    assertThat(CliRun.resultLines(out.resolve("manifest.jsonl"))).hasSize((int) generated);
    GalleryPage page = GalleryPage.read(out);
    Map<String, String> jobs = page.jobs();
    assertThat(jobs).hasSize(20);
    assertThat(jobs.values().stream().filter("succeeded"::equals)).hasSize((int) generated);
    assertThat(jobs.values().stream().filter("skipped"::equals)).hasSize((int) cancelled);
    assertThat(page.tableRows("skipped").values()).hasSize((int) cancelled)
        .allSatisfy(t -> assertThat(t).contains("cancelled"));
    page.assertLinksResolve();
  }

  @Test
  void withoutCtrlC_theRunEndsAsUsual_andTheStopIsUnregistered() {
    CtrlC ctrlC = new CtrlC();

    CliRun run = CliRun.of(e -> e.withInterrupts(ctrlC), Map.of(), CliRun.simulatedSampleRun(tmp.resolve("output")));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(ctrlC.registered).isTrue();
    assertThat(ctrlC.stop).as("unregistered when the run ended").isNull();
  }

  /** Ctrl-C as the JVM delivers it: the registered stop runs on a thread of its own and may block. */
  static final class CtrlC implements Interrupts {
    volatile Runnable stop;
    volatile boolean registered;
    final CountDownLatch returned = new CountDownLatch(1);

    @Override
    public Registration onInterrupt(Runnable stop) {
      this.stop = stop;
      this.registered = true;
      return () -> this.stop = null;
    }

    void press() {
      Runnable s = stop;
      assertThat(s).as("a stop is registered while the batch runs").isNotNull();
      Thread t = new Thread(() -> {
        s.run();
        returned.countDown();
      }, "test-ctrl-c");
      t.start();
    }
  }
}

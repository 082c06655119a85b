package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.Fault;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch really killed (SIGKILL of a child JVM) while it downloads images it has paid for, then
 * run again: no image whose generate answer had arrived is generated again, and the killed
 * downloads' temporary files are cleared. And a second process refused a journal the first holds.
 */
class KilledRunTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private AnyCapSimulator sim;
  private Path out;

  @BeforeEach
  void start() {
    sim = AnyCapSimulator.builder().seed(9).apiKey("ak_test_killed").start();
    out = dir.resolve("out");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Process child(String... args) throws Exception {
    String[] command = Stream.concat(
        Stream.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Xmx128m", "-XX:TieredStopAtLevel=1",
            "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2", ChildBatch.class.getName()),
        Stream.of(args)).toArray(String[]::new);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put(AnyCapClient.ENDPOINT_ENV, sim.baseUri().toString());
    pb.environment().put(AnyCapClient.API_KEY_ENV, "ak_test_killed");
    return pb.start();
  }

  @Test
  void aBatchKilledMidDownload_andRunAgain_generatesNoImageWhoseAnswerHadArrived() throws Exception {
    int n = 12;
    int concurrency = 4;
    // Every download trickles at 50 bytes a second: the child holds paid images, half written, when killed.
    sim.addFault(Fault.slowDownload(50));
    Process child = child("run", out.toString(), Integer.toString(n), Integer.toString(concurrency));
    Thread reaper = new Thread(child::destroyForcibly, "kill-child-batch");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      // The simulator counts a download as it starts to answer it; each job wrote its answer's
      // journal line before it asked for its download.
      sim.awaitCounters(c -> c.requests(SimulatorCounters.DOWNLOAD, 200) >= concurrency, WAIT);
      awaitPartFile();
      child.destroyForcibly();
      assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
    Set<String> answered = generatedIds();
    assertThat(answered).hasSizeGreaterThanOrEqualTo(concurrency);
    long partsLeft = countParts();

    sim.clearFaults();
    BatchReport rerun;
    try (ImagePipeline p = ImagePipeline.builder()
        .client(sim.client().toBuilder().apiKey("ak_test_killed").build())
        .templates(TEMPLATES).outputRoot(out).journal(out.resolve("manifest.jsonl")).concurrency(concurrency)
        .build()) {
      rerun = p.run(JobSource.of(jobs(n)));
    }

    assertThat(rerun.succeeded()).isEqualTo(n);
    assertThat(rerun.resumption().downloadsResumed()).isEqualTo(answered.size());
    SimulatorCounters c = sim.counters();
    for (ImageJob job : jobs(n)) {
      ImageRequest request = ImageRequest.builder().model("nano-banana-2")
          .prompt(TEMPLATES.render("product_hero", job.values())).build();
      if (answered.contains(job.id())) {
        assertThat(c.timesGenerated(request)).as("answered before the kill: " + job.id()).isEqualTo(1);
      }
    }
    assertThat(partsLeft).as("the killed downloads left temporary files").isPositive();
    assertThat(rerun.resumption().tempFilesRemoved()).isEqualTo(partsLeft);
    assertThat(countParts()).isZero();
    for (ImageJob job : jobs(n)) {
      assertThat(PipelineFixtures.completePng(out.resolve(job.outputKey()))).as(job.id()).isTrue();
    }
  }

  @Test
  void aSecondProcessOnAJournalInUse_isRefused_namingTheHolder() throws Exception {
    Process child = child("hold", out.toString());
    Thread reaper = new Thread(child::destroyForcibly, "kill-child-batch");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.equals(ChildBatch.HOLDING)) {
        // the child's start-up output
      }
      assertThat(line).isEqualTo(ChildBatch.HOLDING);

      assertThatThrownBy(() -> ImagePipeline.builder().client(sim.client()).outputRoot(out)
              .journal(out.resolve("manifest.jsonl")).build())
          .isInstanceOf(JournalException.class)
          .hasMessageContaining("in use by another run")
          .hasMessageContaining("pid " + child.pid());
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
    // The OS released the dead process's lock.
    try (ImagePipeline p = ImagePipeline.builder().client(sim.client()).outputRoot(out)
        .journal(out.resolve("manifest.jsonl")).build()) {
      assertThat(p.concurrency()).isPositive();
    }
  }

  /** Waits, on the file system's own events, until a download has begun writing its temporary file. */
  private void awaitPartFile() throws Exception {
    Files.createDirectories(out);
    try (WatchService watch = out.getFileSystem().newWatchService()) {
      out.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (countParts() == 0) {
        WatchKey key = watch.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat(key).as("a download began writing within " + WAIT).isNotNull();
        key.pollEvents();
        key.reset();
      }
    }
  }

  private Set<String> generatedIds() throws Exception {
    Path journal = out.resolve("manifest.jsonl");
    Set<String> ids = new HashSet<>();
    if (!Files.exists(journal)) {
      return ids;
    }
    ObjectMapper m = new ObjectMapper();
    for (String line : Files.readAllLines(journal)) {
      if (line.endsWith("}")) {
        JsonNode n = m.readTree(line);
        if (n.get("status").asText().equals("generated")) {
          ids.add(n.get("id").asText());
        }
      }
    }
    return ids;
  }

  private long countParts() throws Exception {
    try (Stream<Path> files = Files.walk(out)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".part")).count();
    }
  }
}

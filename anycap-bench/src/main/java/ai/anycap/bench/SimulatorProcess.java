package ai.anycap.bench;

import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.testkit.AnyCapSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator in a process of its own ({@code ai.anycap.testkit.SimulatorMain}), for the rows
 * where its CPU or memory must not count as the client's. Closing it stops the process.
 */
final class SimulatorProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final URI baseUri;

  private SimulatorProcess(Process process, URI baseUri) {
    this.process = process;
    this.baseUri = baseUri;
  }

  /** Starts {@code SimulatorMain} with these options and waits until it listens. */
  static SimulatorProcess start(List<String> options) {
    ProcessBuilder pb = ChildJvm.command(List.of(), "ai.anycap.testkit.SimulatorMain", options);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the simulator: " + pb.command(), e);
    }
    CompletableFuture<URI> listening = ProcessLines.watch(p, "simulator", line -> {
      Matcher m = LISTENING.matcher(line);
      return m.find() ? URI.create(m.group(1)) : null;
    }, line -> {
      if (line.contains("WARN") || line.contains("ERROR")) {
        System.err.println("   [simulator] " + line);
      }
    });
    try {
      return new SimulatorProcess(p, listening.get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException("the simulator did not start: " + e.getMessage(), e);
    }
  }

  URI baseUri() {
    return baseUri;
  }

  /**
   * Runs {@code jobs} jobs of {@code model} (one the simulator was told to answer at once) from
   * this JVM, at most {@code ratePerSecond} a second, so that the simulator's fresh JVM has
   * compiled its code before a measured batch: a cold simulator answers its first seconds' requests
   * late and in bunches (Little's law: C = 16 went from 0.874 to 0.943 of C/L with a warm-up alone).
   * Under a rate limit, a rate below it keeps the warm-up's requests from being refused; positive
   * infinity for none.
   */
  void warmUp(String model, int jobs, int concurrency, double ratePerSecond) {
    try (Scratch out = Scratch.create("simulator-warm-up")) {
      ImagePipelineBuilder b = ImagePipeline.builder()
          .client(AnyCapClient.builder().endpoint(baseUri).apiKey(AnyCapSimulator.DEFAULT_CLIENT_KEY).build())
          .defaultModel(model)
          .concurrency(concurrency)
          .outputRoot(out.path());
      if (ratePerSecond != Double.POSITIVE_INFINITY) {
        b.rateLimit(ratePerSecond);
      }
      try (ImagePipeline pipeline = b.build()) {
        pipeline.run(Workload.literal("warm-up", jobs));
      }
    }
  }

  /** CPU time the simulator process has used so far (zero where the OS does not tell). */
  Duration cpu() {
    return ProcessHandle.of(process.pid()).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
  }

  /** Generate requests answered with {@code status}, or all of them when {@code status} is null. */
  long generates(Integer status) {
    JsonNode byStatus = counters().path("requests").path(SimulatorCounters.GENERATE);
    if (status != null) {
      return byStatus.path(Integer.toString(status)).asLong(0);
    }
    long sum = 0;
    for (JsonNode n : byStatus) {
      sum += n.asLong();
    }
    return sum;
  }

  /** {@code GET /_simulator/counters}. */
  JsonNode counters() {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(baseUri.resolve("/_simulator/counters")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

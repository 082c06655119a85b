package ai.anycap.sinks;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.SinkReceipt;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Shared by the sink tests: a loopback-only WireMock, images to deliver, and captured logs. */
final class SinkFixtures {

  static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  private SinkFixtures() {}

  static WireMockExtension wireMock() {
    return WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
        .build();
  }

  /** An image of a job with these values, delivered after the given sinks. */
  static DeliveredImage image(Map<String, String> values, SinkReceipt... earlier) {
    ImageJob job =
        ImageJob.builder().id("job-1").prompt("a mug").values(values).outputKey("mugs/job-1.png").build();
    return new DeliveredImage(job, Path.of("out/mugs/job-1.png"), 1234, "image/png", SHA, "nano-banana-2", List.of(earlier));
  }

  /** {@code n} jobs with distinct literal prompts, written to {@code img-<i>.png}. */
  static List<ImageJob> jobs(int n) {
    List<ImageJob> jobs = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      jobs.add(ImageJob.builder().id("job-" + i).prompt("literal job-" + i).outputKey("img-" + i + ".png").build());
    }
    return jobs;
  }

  static SinkReceipt s3(String key) {
    return new SinkReceipt("s3", "https://cdn.example.com/" + key, Map.of("key", key, "etag", "\"e1\""));
  }

  /** The exception a failed future failed with, unwrapped. */
  static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the future did not complete", e);
    }
    throw new AssertionError("the future succeeded");
  }

  /** A loopback port nothing listens on: connections to it are refused. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Captures a logger's events at WARN and above while open, whatever logback-test.xml says. */
  static final class CapturedLogs implements AutoCloseable {
    private final Logger logger;
    private final Level level;
    private final boolean additive;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    CapturedLogs(Class<?> type) {
      logger = (Logger) LoggerFactory.getLogger(type);
      level = logger.getLevel();
      additive = logger.isAdditive();
      logger.setLevel(Level.WARN);
      logger.setAdditive(false);
      appender.start();
      logger.addAppender(appender);
    }

    List<String> warnings() {
      synchronized (appender) {
        return appender.list.stream()
            .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
      }
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      logger.setLevel(level);
      logger.setAdditive(additive);
    }
  }
}

package ai.anycap.pipeline;

import ai.anycap.client.ImageFormat;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Jobs, templates and checks shared by the pipeline tests. */
final class PipelineFixtures {

  static final PromptTemplates TEMPLATES =
      PromptTemplates.of(
          PromptTemplate.of("product_hero", "E-commerce product photo: {product_name}, {color}, studio lighting"),
          PromptTemplate.builder().name("hero_wide").text("Hero image of {subject}").model("seedream-5")
              .parameter("aspect_ratio", "16:9").build());

  private PipelineFixtures() {}

  /** {@code n} jobs with distinct prompts, written to {@code img-<i>.png}. */
  static List<ImageJob> jobs(int n) {
    List<ImageJob> jobs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      jobs.add(
          ImageJob.builder()
              .id("job-" + i)
              .template("product_hero")
              .value("product_name", "Mug " + i)
              .value("color", i % 2 == 0 ? "red" : "blue")
              .outputKey("img-" + i + ".png")
              .build());
    }
    return jobs;
  }

  /** Every regular file under {@code dir}, relative, sorted. */
  static List<String> files(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  /**
   * The journal's lines of jobs that ended (succeeded, failed, undelivered), without the
   * write-ahead {@code generated} lines of answers not yet downloaded.
   */
  static List<String> resultLines(Path journal) throws IOException {
    return Files.readAllLines(journal).stream().filter(l -> !l.contains("\"status\":\"generated\"")).toList();
  }

  /** Whether the file is a complete image (PNG magic and end chunk). */
  static boolean completePng(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    if (ImageFormat.detect(b, b.length).orElse(null) != ImageFormat.PNG || b.length < 12) {
      return false;
    }
    String tail = new String(b, b.length - 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    return tail.equals("IEND");
  }

  /** Records every listener event, in order. */
  static final class RecordingListener implements PipelineListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<JobResult> results = new CopyOnWriteArrayList<>();
    final List<java.time.Duration> retryDelays = new CopyOnWriteArrayList<>();

    @Override
    public void onBatchStarted(java.util.OptionalLong totalJobs) {
      events.add("started:" + totalJobs.orElse(-1));
    }

    @Override
    public void onJobStarted(ImageJob job) {
      events.add("job:" + job.id());
    }

    @Override
    public void onRetryScheduled(ImageJob job, int attempt, java.time.Duration delay, Throwable cause) {
      events.add("retry:" + job.id() + ":" + attempt);
      retryDelays.add(delay);
    }

    @Override
    public void onJobFinished(JobResult result) {
      results.add(result);
      events.add("done:" + result.jobId());
    }

    @Override
    public void onBatchFinished(BatchReport report) {
      events.add("finished");
    }
  }

  static Map<String, String> values(String name, String color) {
    return Map.of("product_name", name, "color", color);
  }
}

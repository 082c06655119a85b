package ai.anycap.pipeline;

import ai.anycap.client.AnyCapClient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A batch in a JVM of its own, for a test to kill with SIGKILL, or to hold a journal while another
 * process tries to open it. It halts when its stdin closes, so it cannot outlive the test JVM that
 * started it. The AnyCap endpoint and key come from {@code ANYCAP_API_ENDPOINT} and {@code
 * ANYCAP_API_KEY}.
 *
 * <p>Arguments: {@code run <out> <jobs> <concurrency>} runs {@link PipelineFixtures#jobs} jobs with
 * the journal {@code <out>/manifest.jsonl}; {@code hold <out>} opens that journal, prints {@value
 * #HOLDING}, and waits; {@code check <out> <csv>} checks the CSV ({@code name,color,sku}) as a
 * batch would before running, and prints {@value #CHECKED} and the entries' count.
 */
public final class ChildBatch {

  static final String HOLDING = "child holds the journal";
  static final String CHECKED = "child checked entries: ";

  private ChildBatch() {}

  public static void main(String[] args) throws Exception {
    Thread orphanGuard = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // nothing is sent; the read returns -1 once the parent is gone
        }
      } catch (IOException e) {
        // the parent is gone all the same
      }
      Runtime.getRuntime().halt(3);
    }, "orphan-guard");
    orphanGuard.setDaemon(true);
    orphanGuard.start();

    Path out = Path.of(args[1]);
    if (args[0].equals("check")) {
      try (ImagePipeline pipeline = ImagePipeline.builder().client(AnyCapClient.fromEnv())
          .templates(PipelineFixtures.TEMPLATES).outputRoot(out).build()) {
        BatchCheck check = pipeline.check(CsvJobSource.builder().file(Path.of(args[2])).template("product_hero")
            .value("product_name", "{name}").outputKey("{sku}.png").build());
        System.out.println(CHECKED + check.entries());
      }
      return;
    }
    ImagePipelineBuilder builder = ImagePipeline.builder()
        .client(AnyCapClient.fromEnv())
        .templates(PipelineFixtures.TEMPLATES)
        .outputRoot(out)
        .journal(out.resolve("manifest.jsonl"));
    if (args[0].equals("hold")) {
      builder.build();
      System.out.println(HOLDING);
      System.out.flush();
      orphanGuard.join();
      return;
    }
    try (ImagePipeline pipeline = builder.concurrency(Integer.parseInt(args[3])).build()) {
      pipeline.run(JobSource.of(PipelineFixtures.jobs(Integer.parseInt(args[2]))));
    }
  }
}

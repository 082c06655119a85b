package ai.anycap.examples;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.CsvJobSource;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.Sinks;
import ai.anycap.s3.S3Sink;
import ai.anycap.sinks.CmsSink;
import ai.anycap.sinks.SlackNotifier;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Example 2: the seed article's "complete pipeline script" (production-pipeline.py) in Java. CSV
 * in, one image per row, each uploaded to S3, its URL PATCHed into the CMS, Slack told when the
 * batch starts and how it ended.
 *
 * <p>What the SDK adds to the original: every row is checked before anything is spent; retries
 * only for failures that can pass, honouring Retry-After; a manifest, so a rerun after a crash
 * does only what is missing (and delivers an image that was generated but not uploaded, without
 * paying for it again); no secret in the code.
 *
 * <p>Configured from the environment, as a deployed job is:
 *
 * <pre>
 * ANYCAP_API_KEY       the AnyCap key
 * S3_BUCKET            e.g. my-assets (credentials and region: the usual AWS_* variables)
 * S3_ENDPOINT          optional: an S3-compatible store such as MinIO
 * CMS_URL              e.g. https://cms.example.com/api/products/{sku}   ({sku} from the CSV)
 * CMS_TOKEN            the CMS bearer token
 * SLACK_WEBHOOK_URL    a Slack incoming-webhook URL
 * MAX_WORKERS          paid calls in flight at once (default 4)
 * MAX_RETRIES          attempts per image (default 3)
 *
 * java -cp anycap-examples/target/anycap-examples.jar ai.anycap.examples.CompletePipeline samples/products.csv
 * </pre>
 */
public final class CompletePipeline {

  private CompletePipeline() {}

  public static void main(String[] args) {
    Path csv = Path.of(args.length > 0 ? args[0] : "samples/products.csv");
    BatchReport report = run(AnyCapClient.fromEnv(), System.getenv(), csv, Path.of("samples", "templates.json"),
        Path.of("output"));
    System.exit(report.allSucceeded() ? 0 : 1);
  }

  /** The whole pipeline; {@code env} holds the configuration listed above. */
  static BatchReport run(AnyCapClient anycap, Map<String, String> env, Path csv, Path templates, Path out) {
    // The rows: the seed's "product" template, {name} and {color} from each row, one file per sku.
    CsvJobSource products = CsvJobSource.builder()
        .file(csv)
        .template("product")                // "E-commerce photo: {name}, {color}, studio, white bg, 1024x1024"
        .outputKey("{sku}.png")
        .idColumn("sku")                    // how the manifest recognises a row on the next run
        .build();

    S3AsyncClientBuilder s3 = S3AsyncClient.builder();      // AWS_REGION, AWS_ACCESS_KEY_ID, ...
    if (env.get("S3_ENDPOINT") != null) {
      s3.endpointOverride(URI.create(env.get("S3_ENDPOINT"))).forcePathStyle(true);
    }
    try (S3AsyncClient s3Client = s3.build();
         ImagePipeline pipeline = ImagePipeline.builder()
             .client(anycap)
             .templates(PromptTemplates.fromJson(templates))
             .concurrency(number(env, "MAX_WORKERS", 4))
             .retry(Retry.exponential(number(env, "MAX_RETRIES", 3), Duration.ofSeconds(1), Duration.ofSeconds(30)))
             .outputRoot(out)
             .journal(out.resolve("manifest.jsonl"))
             // Delivery, in order: S3 first, then the CMS gets the S3 URL ({s3.url}).
             .sink(Sinks.chain(
                 S3Sink.builder()
                     .client(s3Client)
                     .bucket(required(env, "S3_BUCKET"))
                     .prefix("products/")
                     .build(),
                 CmsSink.builder()
                     .urlTemplate(required(env, "CMS_URL"))                 // PATCH by default
                     .bodyTemplate("{\"image_url\":\"{s3.url}\"}")
                     .bearerToken(() -> required(env, "CMS_TOKEN"))         // read per request, never logged
                     .build()))
             // "Pipeline started: 20 images" and "Pipeline complete: 18/20 images. 2 failed."
             .listener(SlackNotifier.builder().webhookUrl(URI.create(required(env, "SLACK_WEBHOOK_URL"))).build())
             .build()) {

      BatchEstimate estimate = pipeline.estimate(products);    // sends nothing
      System.out.println("about to generate: " + estimate);

      BatchReport report = pipeline.run(products);             // checks every row first, then runs
      System.out.print(report);
      return report;
    }
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("set the environment variable " + name);
    }
    return v;
  }

  private static int number(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
  }
}

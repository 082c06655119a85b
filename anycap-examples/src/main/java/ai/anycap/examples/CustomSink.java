package ai.anycap.examples;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.CsvJobSource;
import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Example 3: your own sink. A sink takes each finished image somewhere; this one writes a product
 * catalog, one CSV line per image (sku, file, checksum, model), for a spreadsheet or an import job.
 * S3, a CMS or a webhook are sinks of the same shape.
 *
 * <pre>
 * java -cp anycap-examples/target/anycap-examples.jar ai.anycap.examples.CustomSink --simulate
 * </pre>
 */
public final class CustomSink {

  private CustomSink() {}

  public static void main(String[] args) {
    try (ExampleApi api = ExampleApi.fromArgs(args)) {
      BatchReport report = run(api.client(), Path.of("samples"), Path.of("output", "custom-sink"));
      System.out.print(report);
      System.out.println("catalog: " + Path.of("output", "custom-sink", "catalog.csv"));
    }
  }

  /**
   * An {@link ImageSink} has one method: deliver an image, complete a future with a receipt. The
   * pipeline calls it once the image is safely on disk, for many jobs at once (so it must be
   * thread-safe), retries it when it fails, and records in the manifest that it delivered.
   */
  static final class CatalogSink implements ImageSink {
    private final Path catalog;

    CatalogSink(Path catalog) {
      this.catalog = catalog;
    }

    @Override
    public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
      // The job carries the CSV row: image.job().values().get("sku") is the row's sku.
      String line = String.join(",",
          image.job().values().getOrDefault("sku", image.job().id()),
          image.file().getFileName().toString(),
          image.sha256(),
          image.model()) + "\n";
      try {
        append(line);
      } catch (IOException e) {
        // Say whether trying again may help: a full disk might clear, a bad path will not.
        return CompletableFuture.failedFuture(new SinkException(name(), "cannot write " + catalog + ": " + e, true, e));
      }
      // The receipt says where the image now is; later sinks (and the manifest) see it.
      return CompletableFuture.completedFuture(
          new SinkReceipt(name(), catalog.toString(), Map.of("sha256", image.sha256())));
    }

    // Many jobs finish at once: one writer at a time keeps lines whole.
    private synchronized void append(String line) throws IOException {
      if (!Files.exists(catalog)) {
        Files.createDirectories(catalog.toAbsolutePath().getParent());
        Files.writeString(catalog, "sku,file,sha256,model\n", StandardCharsets.UTF_8);
      }
      Files.writeString(catalog, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Override
    public String name() {
      return "catalog"; // recorded in the manifest: a rerun delivers only what this sink missed
    }
  }

  /** Generates the sample products and catalogs each image. */
  static BatchReport run(AnyCapClient client, Path samples, Path out) {
    try (ImagePipeline pipeline = ImagePipeline.builder()
        .client(client)
        .templates(PromptTemplates.fromJson(samples.resolve("templates.json")))
        .concurrency(8)
        .outputRoot(out)
        .journal(out.resolve("manifest.jsonl"))
        .sink(new CatalogSink(out.resolve("catalog.csv")))     // add it like any other sink
        .build()) {
      return pipeline.run(CsvJobSource.builder()
          .file(samples.resolve("products.csv"))
          .template("product")                                  // "E-commerce photo: {name}, {color}, ..."
          .outputKey("{sku}.png")
          .idColumn("sku")
          .build());
    }
  }
}

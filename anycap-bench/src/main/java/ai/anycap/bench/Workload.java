package ai.anycap.bench;

import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.CsvJobSource;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;

/**
 * The jobs the scenarios run. Every job asks for a different image (its own prompt), so the
 * pipeline's de-duplication never folds two jobs into one request.
 */
final class Workload {

  /** The README's template, so the memory run looks like a real product batch. */
  static final PromptTemplates TEMPLATES = PromptTemplates.of(PromptTemplate.of(
      "product_hero",
      "E-commerce product photo: {product_name}, {color}, studio lighting, white background"));

  private static final String[] COLORS = {"red", "green", "blue", "black", "white", "yellow", "orange"};

  private Workload() {}

  /** {@code n} literal-prompt jobs, made as the pipeline reads them rather than held in a list. */
  static JobSource literal(String tag, int n) {
    List<ImageJob> jobs = new AbstractList<>() {
      @Override
      public ImageJob get(int i) {
        return ImageJob.builder()
            .id(tag + "-" + i)
            .prompt("benchmark image " + i + " of run " + tag + ", a paper crane on a wooden table")
            .outputKey(tag + "/" + i + ".png")
            .build();
      }

      @Override
      public int size() {
        return n;
      }
    };
    return JobSource.of(jobs);
  }

  /** Writes a product CSV of {@code rows} rows (sku, name, color) to {@code file}. */
  static void writeCsv(Path file, int rows) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("sku,name,color\n");
      for (int i = 1; i <= rows; i++) {
        w.write(String.format("SKU-%07d,\"Ceramic mug, model %d\",%s\n", i, i, COLORS[i % COLORS.length]));
      }
    }
  }

  /** The source over such a CSV, set up as the README shows it. */
  static CsvJobSource csv(Path file) {
    return CsvJobSource.builder()
        .file(file)
        .template("product_hero")
        .value("product_name", "{name}")
        .outputKey("{sku}.png")
        .idColumn("sku")
        .build();
  }
}

package ai.anycap.batch;

import ai.anycap.client.ImageOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What to generate and where it goes: the options {@code run} and {@code estimate} share. */
final class JobOptions {

  @Parameters(index = "0", paramLabel = "CSV",
      description = "The jobs: a CSV file with a header row, one image per row.")
  Path csv;

  @Option(names = "--templates", paramLabel = "FILE",
      description = "Prompt templates: a JSON object of name to template text, such as samples/templates.json.")
  Path templates;

  @Option(names = "--template", paramLabel = "NAME",
      description = "The template every row's prompt is made from, filled with the row's columns ({name}, {color}, ...).")
  String template;

  @Option(names = "--prompt-column", paramLabel = "COLUMN",
      description = "Take each row's prompt as it is from this column, instead of a template.")
  String promptColumn;

  @Option(names = "--output-key", required = true, paramLabel = "TEMPLATE",
      description = "Where each image goes under --out, from the row's columns, such as \"{sku}.png\".")
  String outputKey;

  @Option(names = "--id-column", paramLabel = "COLUMN",
      description = "The column that identifies a row across runs; default: the output key.")
  String idColumn;

  @Option(names = "--value", paramLabel = "NAME=TEMPLATE",
      description = "An extra value for the template, from the row's columns: --value product_name={name}. Repeatable.")
  Map<String, String> values = new LinkedHashMap<>();

  @Option(names = "--model", paramLabel = "MODEL",
      description = "The model for every row: nano-banana-2, nano-banana-pro, seedream-5; default: the template's, else nano-banana-2.")
  String model;

  @Option(names = "--param", paramLabel = "NAME=VALUE",
      description = "A model parameter for every row, such as --param aspect_ratio=16:9. Repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--operation", paramLabel = "OP", defaultValue = "generate",
      description = "What each row asks for: generate (default; image-to-image with --reference-column), edit (the"
          + " row's reference image, as the prompt says) or upscale (the reference image; no prompt;"
          + " --param resolution=4k).")
  String operation;

  @Option(names = "--reference-column", paramLabel = "COLUMN",
      description = "A column naming each row's reference image: a path under --reference-dir, or an http(s) URL."
          + " Each file is checked before anything is spent and uploaded once. Repeatable.")
  List<String> referenceColumns = new ArrayList<>();

  @Option(names = "--reference-dir", paramLabel = "DIR",
      description = "The directory the reference paths are relative to; a path that leads out of it is refused."
          + " Default: the working directory.")
  Path referenceDir;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "output",
      description = "The output directory: images, manifest.jsonl and index.html. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--journal", paramLabel = "FILE",
      description = "The manifest: one JSON line per finished job; a rerun skips what succeeded. Default: <out>/manifest.jsonl.")
  Path journal;

  @Option(names = "--skip-invalid-rows",
      description = "Run the good rows when some are malformed, reporting the others as skipped (default: refuse the batch).")
  boolean skipInvalidRows;

  /**
   * The operation {@code --operation} names.
   *
   * @throws BadInputException for an unknown one, or {@code read}
   */
  ImageOperation operation() {
    ImageOperation op;
    try {
      op = ImageOperation.of(operation);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--operation " + operation + ": expected generate, edit or upscale", e);
    }
    if (op == ImageOperation.READ) {
      throw new BadInputException("--operation read: a read answers text, not an image; use generate, edit or upscale");
    }
    return op;
  }

  /**
   * Checks the reference flags against the operation: an edit or upscale names its images, an
   * upscale takes no prompt, and the reference directory exists.
   *
   * @throws BadInputException saying which flag to add or drop
   */
  void checkReferences(ImageOperation op) {
    if (op != ImageOperation.GENERATE && referenceColumns.isEmpty()) {
      throw new BadInputException("--operation " + op.value() + " needs --reference-column COLUMN, the column naming"
          + " each row's image (a path under --reference-dir, or an http(s) URL)");
    }
    if (op == ImageOperation.UPSCALE && (template != null || promptColumn != null)) {
      throw new BadInputException("--operation upscale takes no prompt: drop "
          + (template != null ? "--template" : "--prompt-column") + " (the size goes in --param resolution=4k)");
    }
    if (referenceDir != null && !Files.isDirectory(referenceDir)) {
      throw new BadInputException("--reference-dir " + referenceDir + ": no such directory"
          + (referenceDir.isAbsolute() ? "" : " (looked in " + referenceDir.toAbsolutePath().normalize() + ")"));
    }
  }

  /** The directory reference paths are relative to: {@code --reference-dir}, or the working directory. */
  Path referenceDirectory() {
    return referenceDir != null ? referenceDir : Path.of("");
  }

  /** The manifest file: {@code --journal}, or {@code manifest.jsonl} in the output directory. */
  Path journalFile() {
    return journal != null ? journal : out.resolve("manifest.jsonl");
  }
}

package ai.anycap.batch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "output",
      description = "The output directory: images, manifest.jsonl and index.html. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--journal", paramLabel = "FILE",
      description = "The manifest: one JSON line per finished job; a rerun skips what succeeded. Default: <out>/manifest.jsonl.")
  Path journal;

  @Option(names = "--max-prompt-length", paramLabel = "N", defaultValue = "8000",
      description = "Refuse a row whose prompt is longer than N characters: most likely a cell that swallowed the"
          + " rows after it. Default: ${DEFAULT-VALUE}.")
  int maxPromptLength;

  @Option(names = "--skip-schema-check",
      description = "Send parameters without checking them against the model's schema first (when the API's"
          + " schema is known to be wrong).")
  boolean skipSchemaCheck;

  @Option(names = "--skip-balance-check",
      description = "Start even when the estimate is over the account's credit balance (a --budget-credits within"
          + " the balance is the way to run what it covers).")
  boolean skipBalanceCheck;

  @Option(names = "--skip-invalid-rows",
      description = "Run the good rows when some are malformed, reporting the others as skipped (default: refuse the batch).")
  boolean skipInvalidRows;

  /** The manifest file: {@code --journal}, or {@code manifest.jsonl} in the output directory. */
  Path journalFile() {
    return journal != null ? journal : out.resolve("manifest.jsonl");
  }
}

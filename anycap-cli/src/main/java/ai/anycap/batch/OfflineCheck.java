package ai.anycap.batch;

import ai.anycap.client.AnyCapClient;
import ai.anycap.pipeline.BatchCheck;
import ai.anycap.pipeline.BatchEstimate;
import ai.anycap.pipeline.BatchValidationException;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.JournalException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pipeline's own check of a batch ({@link ImagePipeline#check}), run for the CLI before
 * anything is written under {@code --out} or paid for: every row, prompt lengths, output paths
 * and links, the output directory, the budget; then, {@link #online} against the API the run
 * will use, each row's parameters against its model's schema and the estimate against the
 * credit balance (free calls). Its problems come back as one {@link BadInputException} naming
 * rows, fields and flags.
 *
 * <p>{@link #check} sends no request at all: its client points at a closed local port and is
 * never used. Neither writes a file: their pipelines read the manifest (for jobs already done)
 * only when it exists.
 */
final class OfflineCheck {

  /**
   * What the check found.
   *
   * @param estimate what the run would do and cost
   * @param invalidRows rows that cannot run (skipped with {@code --skip-invalid-rows})
   * @param everyRow with de-duplication on and rows sharing a request: the estimate were every row
   *     generated, for what de-duplication saves; else null
   */
  record Result(BatchEstimate estimate, long invalidRows, BatchEstimate everyRow) {}

  /** A problem of the whole batch, at the pipeline setting it concerns: {@code outputRoot: ...}. */
  private static final Pattern SETTING = Pattern.compile("(?m)^  (outputRoot|budget|balanceCheck): ");

  private OfflineCheck() {}

  /**
   * Checks and prices the batch, offline.
   *
   * @throws BadInputException with every problem found, when the batch would be refused
   */
  static Result check(BatchInput input, Budget limit, CostOptions cost) {
    AnyCapClient offline = AnyCapClient.builder()
        .apiKey("offline-check-sends-nothing")
        .endpoint(URI.create("http://127.0.0.1:9"))
        .build();
    try (ImagePipeline pipeline = pipeline(input, offline, limit, cost, cost.deduplicate())
        .schemaCheck(false).balanceCheck(false).build()) {
      BatchCheck check = check(pipeline, input, limit, journalProblem(input.options));
      BatchEstimate estimate = pipeline.estimate(input.source);
      return new Result(estimate, check.invalidEntries(), everyRow(input, offline, limit, cost, estimate));
    } catch (JournalException e) {
      throw manifest(e);
    }
  }

  /** With de-duplication on and rows sharing a request: the estimate were every row generated; else null. */
  private static BatchEstimate everyRow(
      BatchInput input, AnyCapClient offline, Budget limit, CostOptions cost, BatchEstimate estimate) {
    if (!cost.deduplicate() || estimate.duplicates() == 0) {
      return null;
    }
    try (ImagePipeline pipeline = pipeline(input, offline, limit, cost, false)
        .schemaCheck(false).balanceCheck(false).build()) {
      return pipeline.estimate(input.source);
    } catch (JournalException e) {
      throw manifest(e);
    }
  }

  /**
   * Checks the batch against the API {@code client} talks to: each row's parameters against its
   * model's schema, and the estimate against the account's credit balance, unless the flags skip
   * them.
   *
   * @return what could not be checked, such as a schema the API did not answer for
   * @throws BadInputException with every problem found, when the batch would be refused
   */
  static List<String> online(BatchInput input, Budget limit, CostOptions cost, AnyCapClient client) {
    JobOptions o = input.options;
    try (ImagePipeline pipeline = pipeline(input, client, limit, cost, cost.deduplicate())
        .schemaCheck(!o.skipSchemaCheck).balanceCheck(!o.skipBalanceCheck).build()) {
      return check(pipeline, input, limit, null).warnings();
    } catch (JournalException e) {
      throw manifest(e);
    }
  }

  /** The settings the checks share with the run. */
  private static ImagePipelineBuilder pipeline(
      BatchInput input, AnyCapClient client, Budget limit, CostOptions cost, boolean deduplicate) {
    JobOptions o = input.options;
    ImagePipelineBuilder b = ImagePipeline.builder()
        .client(client)
        .templates(input.templates)
        .prices(cost.priceTable())
        .deduplicate(deduplicate)
        .outputRoot(o.out)
        .referenceDirectory(o.referenceDirectory())
        .maxPromptLength(o.maxPromptLength);
    if (limit.isLimited()) {
      b.budget(limit);
    }
    if (o.skipInvalidRows) {
      b.skipInvalidRows();
    }
    Path journal = o.journalFile();
    if (Files.isRegularFile(journal)) {
      b.journal(journal); // read for jobs already done; a check and an estimate write nothing
    }
    return b;
  }

  private static BatchCheck check(ImagePipeline pipeline, BatchInput input, Budget limit, String journalProblem) {
    BatchCheck check;
    try {
      check = pipeline.check(input.source);
    } catch (BatchValidationException e) {
      String problems = inFlags(e.getMessage(), input.options, limit);
      throw new BadInputException(
          journalProblem == null ? problems : problems + System.lineSeparator() + "  " + journalProblem, e);
    }
    if (journalProblem != null) {
      throw new BadInputException(journalProblem);
    }
    return check;
  }

  /** The pipeline's message, with its setting names put as the flags that set them. */
  static String inFlags(String message, JobOptions o, Budget limit) {
    Matcher m = SETTING.matcher(message);
    StringBuilder s = new StringBuilder();
    while (m.find()) {
      String flag = switch (m.group(1)) {
        case "outputRoot" -> "--out " + o.out;
        case "budget" -> limit.unit() == Budget.Unit.USD ? "--budget-usd" : "--budget-credits";
        default -> "credit balance";
      };
      m.appendReplacement(s, Matcher.quoteReplacement("  " + flag + ": "));
    }
    m.appendTail(s);
    return s.toString()
        .replace("(maxPromptLength)", "(--max-prompt-length)")
        .replace("set a credit budget of at most ", "add --budget-credits ")
        .replace(" to generate what the balance covers", " to generate what the balance covers (or --skip-balance-check)");
  }

  /**
   * What keeps the manifest from being written where {@code --journal} (or {@code --out}) puts
   * it, found before anything is: it is a directory, or a file stands where one of its
   * directories should be.
   */
  private static String journalProblem(JobOptions o) {
    Path journal = o.journalFile().toAbsolutePath().normalize();
    String flag = o.journal != null ? "--journal " + o.journal : "the manifest " + o.journalFile() + " (from --out)";
    if (Files.isDirectory(journal)) {
      return flag + " is a directory; name a file, such as --journal " + o.journalFile().resolve("manifest.jsonl");
    }
    Path existing = journal.getParent();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    // An --out that is a file is the pipeline's to report, as --out.
    if (existing != null && !Files.isDirectory(existing) && !existing.equals(o.out.toAbsolutePath().normalize())) {
      return flag + " cannot be created: " + existing + " is a file";
    }
    return null;
  }

  private static BadInputException manifest(JournalException e) {
    return new BadInputException(e.getMessage() + " (use another --journal, or move this one aside)", e);
  }
}

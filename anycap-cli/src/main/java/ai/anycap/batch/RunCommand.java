package ai.anycap.batch;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapException;
import ai.anycap.client.PriceTable;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.BatchValidationException;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.JournalException;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.Retry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code anycap-batch run}: the seed article's "complete pipeline script", done properly. Reads the
 * CSV, checks every row before spending anything, generates with bounded concurrency, retries and a
 * budget, keeps a manifest so a rerun does only what is missing, delivers where asked, and leaves
 * a contact sheet ({@code index.html}) next to the images.
 */
@Command(
    name = "run",
    sortOptions = false,
    abbreviateSynopsis = true,
    mixinStandardHelpOptions = true,
    header = "Generate one image per CSV row, with a manifest and a gallery.",
    description = {
        "Generates one image per CSV row; writes the images, manifest.jsonl and",
        "index.html to --out. Needs ANYCAP_API_KEY, or --simulate to run on the",
        "built-in simulator (no key, no network, simulated images)."},
    footer = {
        "",
        "Example (no key needed):",
        "  anycap-batch run samples/products.csv --templates samples/templates.json \\",
        "      --template product --output-key \"{sku}.png\" --simulate --out output/",
        "",
        "Exit codes: 0 every job succeeded; 1 some failed or did not run;",
        "2 bad input (nothing spent); 130 interrupted (Ctrl-C)."})
final class RunCommand implements Callable<Integer> {

  /** Marks an output directory holding simulated images, so that a real run never mistakes them for its own. */
  static final String SIMULATED_MARKER = ".anycap-batch-simulated";

  @ParentCommand AnyCapBatch parent;
  @Spec CommandSpec spec;

  @Mixin JobOptions job;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
      description = "At most N paid calls in flight at once (and as many jobs downloading their images); while the API rate limits, the run also slows its pace by itself. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--rate-limit", paramLabel = "PER_SECOND",
      description = "Send at most this many generate requests a second: your account's rate limit, when you know"
          + " it. The run starts at that pace instead of finding the limit by being refused, and still slows down"
          + " if the API refuses it. Default: none; the run learns the pace from the API's 429s.")
  Double rateLimit;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "4",
      description = "Attempts per image, the first included, for failures that can pass (429, 5xx, network). Default: ${DEFAULT-VALUE}.")
  int maxAttempts;

  @Option(names = "--generate-timeout", paramLabel = "TIME",
      description = "How long one image may take before the request is given up (and, by default, sent again:"
          + " a request given up may still be billed, and is counted as possibly billed). Default: by model,"
          + " 2m for nano-banana-2, 3m for nano-banana-pro, 5m for seedream-5 and others.")
  String generateTimeout;

  @Option(names = "--fail-when-billing-uncertain",
      description = "Fail a job whose request got no answer and may have been billed, instead of sending it again.")
  boolean failWhenBillingUncertain;

  @Option(names = "--dry-run",
      description = "Check every row and show the cost and the first prompts; send nothing, write nothing.")
  boolean dryRun;

  @Mixin BudgetOptions budget;
  @Mixin CostOptions cost;
  @Mixin SimulationOptions simulation;
  @Mixin DeliveryOptions delivery;

  @Override
  public Integer call() {
    Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), simulation.simulate);
    try {
      return run(console);
    } catch (BadInputException e) {
      console.error(e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
  }

  private int run(Console console) {
    if (concurrency < 1 || concurrency > 1024) {
      throw new BadInputException("--concurrency must be between 1 and 1024, got " + concurrency);
    }
    if (maxAttempts < 1 || maxAttempts > 20) {
      throw new BadInputException("--max-attempts must be between 1 and 20, got " + maxAttempts);
    }
    if (rateLimit != null && !(rateLimit > 0 && rateLimit < Double.POSITIVE_INFINITY)) {
      throw new BadInputException("--rate-limit must be a positive number of requests a second, got " + rateLimit);
    }
    simulation.checkConsistent();
    Duration timeout = generateTimeout();
    Budget limit = budget.budget();
    CliEnvironment env = parent.environment;
    // Everything that can be known locally first, then what the API says for free (models,
    // schemas, balance); only then is anything written under --out or paid for.
    BatchInput input = BatchInput.read(job);
    OfflineCheck.Result check = OfflineCheck.check(input, limit, cost);
    if (dryRun) {
      List<String> notes = Connection.checkIfPossible(simulation, env, input, limit, cost);
      console.out(dryRunText(input, check, limit, console.simulated()));
      notes.forEach(n -> console.err("note: " + n));
      return ExitCodes.ALL_SUCCEEDED;
    }
    try (Deliveries deliveries = Deliveries.create(delivery, env, check.estimate())) {
      checkOutputDirectory(console.simulated());
      try (Connection connection = Connection.open(simulation, env, console)) {
        try {
          connection.checkModels(input.models());
        } catch (AnyCapException e) {
          console.error("cannot reach " + (connection.simulated() ? "the simulator" : "AnyCap at "
              + connection.client.endpoint()) + ": " + e.getMessage() + ". Nothing was generated.");
          return ExitCodes.SOME_FAILED;
        }
        OfflineCheck.online(input, limit, cost, connection.client).forEach(w -> console.err("warning: " + w));
        AnyCapClient client = timeout == null ? connection.client
            : connection.client.toBuilder().generateTimeout(timeout).build();
        return generate(console, input, check, limit, connection, client, deliveries);
      }
    }
  }

  private Duration generateTimeout() {
    if (generateTimeout == null) {
      return null;
    }
    Duration d;
    try {
      d = SimulationOptions.duration(generateTimeout);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--generate-timeout " + generateTimeout + ": expected a time such as 90s or 5m ("
          + e.getMessage() + ")", e);
    }
    if (d.isZero() || d.isNegative()) {
      throw new BadInputException("--generate-timeout must be positive, got " + generateTimeout);
    }
    return d;
  }

  private int generate(
      Console console, BatchInput input, OfflineCheck.Result check, Budget limit, Connection connection,
      AnyCapClient client, Deliveries deliveries) {
    CliEnvironment env = parent.environment;
    Path journal = job.journalFile();
    PriceTable prices = cost.priceTable();
    ImagePipelineBuilder b = ImagePipeline.builder()
        .client(client)
        .templates(input.templates)
        .concurrency(concurrency)
        .retry(Retry.defaults().withMaxAttempts(maxAttempts)
            .withUncertain(failWhenBillingUncertain ? Retry.Uncertain.FAIL : Retry.Uncertain.RESUBMIT))
        .outputRoot(job.out)
        .referenceDirectory(job.referenceDirectory())
        .journal(journal)
        .budget(limit)
        .maxPromptLength(job.maxPromptLength)
        // Checked a moment ago by OfflineCheck.online, which fetched each schema and the balance once.
        .schemaCheck(false)
        .balanceCheck(false)
        .prices(prices)
        .deduplicate(cost.deduplicate());
    if (rateLimit != null) {
      b.rateLimit(rateLimit);
    }
    if (job.skipInvalidRows) {
      b.skipInvalidRows();
    }
    for (ImageSink sink : deliveries.sinks) {
      b.sink(sink);
    }
    for (PipelineListener l : deliveries.listeners) {
      b.listener(l);
    }
    if (connection.simulated()) {
      markSimulated();
    }
    console.out(startText(input, check, limit, connection.simulated()));
    if (connection.simulated() && delivery.any()) {
      console.err("note: the images are simulated, but their delivery is real: " + delivery.describe());
    }
    GracefulStop stop = new GracefulStop(console);
    try (RunLedger ledger = RunLedger.create(prices);
        ProgressReporter progress = new ProgressReporter(console, env.terminal(), concurrency);
        Interrupts.Registration ctrlC = env.interrupts().onInterrupt(stop)) {
      Ran ran = run(b.listener(ledger).listener(progress), input, journal, progress, stop);
      BatchReport report = ran.report();
      long manifestFrom = ran.manifestFrom();
      if (report == null) {
        report = ledger.report(); // stopped: closing the pipeline let the running jobs end and reported them
      }
      if (report == null) {
        console.error("the batch was stopped before it started; nothing was generated");
        return stop.requested() ? ExitCodes.INTERRUPTED : ExitCodes.SOME_FAILED;
      }
      Path gallery = writeGallery(console, input, ledger, report, journal, manifestFrom, connection.simulated());
      console.out(SummaryTable.ofRun(report, ledger, connection.simulated(), gallery, journal));
      if (gallery != null) {
        console.out("Open " + gallery + " to see the results.");
      }
      if (stop.requested()) {
        return ExitCodes.INTERRUPTED;
      }
      return report.allSucceeded() ? ExitCodes.ALL_SUCCEEDED : ExitCodes.SOME_FAILED;
    } finally {
      stop.finished();
    }
  }

  /**
   * What {@link #run} leaves: the report (null when the run was stopped: it then came to the
   * listeners), and where this run's lines start in the manifest.
   */
  private record Ran(BatchReport report, long manifestFrom) {}

  /**
   * Builds the pipeline, runs the batch and closes the pipeline, in a method of its own so that
   * nothing refers to the closed pipeline (and its journal's index) while the gallery is written.
   */
  private static Ran run(
      ImagePipelineBuilder b, BatchInput input, Path journal, ProgressReporter progress, GracefulStop stop) {
    BatchReport report;
    long manifestFrom;
    try (ImagePipeline pipeline = b.build()) {
      manifestFrom = size(journal); // the journal is open, its torn tail cut off: this run's lines follow
      progress.inFlightFrom(pipeline::inFlight);
      CompletableFuture<BatchReport> future = pipeline.runAsync(input.source);
      stop.watch(future);
      report = await(future);
    } catch (JournalException e) {
      throw new BadInputException(e.getMessage() + " (use another --journal, or move this one aside)", e);
    }
    progress.finish();
    return new Ran(report, manifestFrom);
  }

  /** The run's report, or null when it was cancelled (its report then comes to the listeners). */
  private static BatchReport await(CompletableFuture<BatchReport> future) {
    try {
      return future.get();
    } catch (CancellationException e) {
      return null;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BatchValidationException v) {
        throw new BadInputException(v.getMessage(), v);
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private Path writeGallery(
      Console console, BatchInput input, RunLedger ledger, BatchReport report, Path journal, long manifestFrom,
      boolean simulated) {
    try {
      Gallery.write(new Gallery.Run(
          input, job.out, journal, manifestFrom, ledger.skips(), simulated, report, Instant.now()),
          parent.environment.galleryPageSize());
      return job.out.resolve(Gallery.FILE_NAME); // as the user named the directory
    } catch (UncheckedIOException e) {
      console.error(e.getMessage());
      return null;
    }
  }

  /**
   * Keeps simulated and real results apart: the manifest of a simulated run would make a real run
   * skip jobs whose only image is simulated, and the other way round would mix the two.
   */
  private void checkOutputDirectory(boolean simulated) {
    Path marker = job.out.resolve(SIMULATED_MARKER);
    Path journal = job.journalFile();
    boolean hasResults = Files.isRegularFile(journal) && size(journal) > 0;
    if (!simulated && Files.exists(marker)) {
      throw new BadInputException(job.out + " holds simulated images from an earlier --simulate run, and its manifest"
          + " would make this run skip them. Use another --out, or delete " + job.out + " first.");
    }
    if (simulated && hasResults && !Files.exists(marker)) {
      throw new BadInputException(job.out + " holds images generated by AnyCap; a simulated run would mix simulated"
          + " images in with them. Use another --out, such as --out output-simulated/.");
    }
  }

  private void markSimulated() {
    try {
      Files.createDirectories(job.out);
      Path marker = job.out.resolve(SIMULATED_MARKER);
      if (!Files.exists(marker)) {
        Files.writeString(marker, "The images in this directory were made by the AnyCap simulator (anycap-batch --simulate).\n");
      }
    } catch (IOException e) {
      throw new BadInputException("cannot write to " + job.out + ": " + e.getMessage(), e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  private String startText(BatchInput input, OfflineCheck.Result check, Budget limit, boolean simulated) {
    var e = check.estimate();
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%s %d image%s from %s%s (%s), %d at a time, into %s",
        simulated ? "Simulating" : "Generating", e.jobs(), e.jobs() == 1 ? "" : "s", job.csv.getFileName(),
        job.template != null ? " with template '" + job.template + "'" : "",
        String.join(", ", e.jobsByModel().isEmpty() ? input.models() : e.jobsByModel().keySet()), concurrency, job.out));
    if (rateLimit != null) {
      s.append(String.format(Locale.ROOT, ", at most %s a second", Money.plain(BigDecimal.valueOf(rateLimit))));
    }
    if (e.alreadyDone() > 0) {
      s.append(String.format(Locale.ROOT, "%n%d already done in %s: skipping them", e.alreadyDone(), job.journalFile()));
    }
    String price = SummaryTable.cost(e);
    s.append('\n').append(simulated
        ? "Simulated images: no credits are spent (a real run would take about " + price + ")"
        : "Estimated cost: " + price);
    if (limit.isLimited()) {
      s.append(", budget ").append(SummaryTable.limit(limit));
    }
    if (e.duplicates() > 0) {
      s.append(String.format(Locale.ROOT, "%n%d row%s a request with an earlier row: %s", e.duplicates(),
          e.duplicates() == 1 ? " shares" : "s share",
          cost.deduplicate() ? "generated once and copied" : "each generated (--no-dedupe)"));
    }
    return s.toString();
  }

  private String dryRunText(BatchInput input, OfflineCheck.Result check, Budget limit, boolean simulated) {
    StringBuilder s = new StringBuilder("Dry run: every row checked; nothing was generated and nothing was written.\n");
    s.append(SummaryTable.ofEstimate(job.csv.getFileName().toString(), check, limit, simulated));
    s.append("\nFirst prompts:");
    for (ImageJob j : input.first) {
      s.append(String.format(Locale.ROOT, "%n  %s -> %s [%s]%n    %s", j.id(), job.out.resolve(j.outputKey()),
          input.model(j), input.prompt(j)));
    }
    if (input.rows > input.first.size()) {
      s.append(String.format(Locale.ROOT, "%n  ... and %d more", input.rows - input.first.size()));
    }
    s.append("\nDrop --dry-run to generate.");
    return s.toString();
  }
}

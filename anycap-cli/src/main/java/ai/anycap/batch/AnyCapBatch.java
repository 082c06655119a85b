package ai.anycap.batch;

import java.io.PrintWriter;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Spec;

/**
 * {@code anycap-batch}: generates images at scale from a CSV file with AnyCap, or on the built-in
 * simulator, and leaves the images, a manifest and a contact sheet ({@code index.html}) behind.
 *
 * <pre>
 * java -jar anycap-cli/target/anycap-batch.jar run samples/products.csv \
 *     --templates samples/templates.json --template product --output-key "{sku}.png" --simulate --out output/
 * </pre>
 *
 * <p>Commands: {@code run}, {@code estimate}, {@code models}. Exit codes: 0 every job succeeded, 1
 * some failed, 2 bad input (nothing spent). Secrets come from environment variables only. See
 * docs/cli.md.
 */
@Command(
    name = "anycap-batch",
    mixinStandardHelpOptions = true,
    versionProvider = AnyCapBatch.Version.class,
    subcommands = {RunCommand.class, EstimateCommand.class, ModelsCommand.class, CommandLine.HelpCommand.class},
    description = {
        "Generates images at scale with AnyCap: one image per CSV row, with retries,",
        "a budget, a manifest and a contact sheet (index.html). --simulate runs it all",
        "on a built-in simulator, without a key."},
    footer = {
        "",
        "Try it without a key:",
        "  anycap-batch run samples/products.csv --templates samples/templates.json \\",
        "      --template product --output-key \"{sku}.png\" --simulate --out output/",
        "",
        "Environment: ANYCAP_API_KEY (required without --simulate), ANYCAP_API_ENDPOINT.",
        "Exit codes: 0 every job succeeded; 1 some failed or did not run;",
        "2 bad input, nothing spent. More: docs/cli.md"})
public final class AnyCapBatch implements Runnable {

  final CliEnvironment environment;

  @Spec CommandSpec spec;

  AnyCapBatch(CliEnvironment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command: run, estimate or models");
  }

  public static void main(String[] args) {
    widenCommonPool();
    System.exit(commandLine(CliEnvironment.system()).execute(args));
  }

  /** The system property that sizes the JDK's common fork-join pool. */
  public static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * Gives the JDK's common pool a parallelism of 2 on a machine of one or two cores, unless the
   * user set one: call it first thing in {@code main}, before anything uses a {@code
   * CompletableFuture}. With the JDK's default there (parallelism 1), {@code CompletableFuture}
   * runs every async step on a new thread, and the JDK's {@code HttpClient} completes every
   * response that way: two threads started and ended per image. On the benchmark's 2-core machine
   * that cost the Little's-law row 5 to 13% of its throughput (C = 16 to 1,024). A library must
   * not change it for its users; an application, as this command line is, may.
   *
   * @return whether it was set here
   */
  public static boolean widenCommonPool() {
    return widenCommonPool(System.getProperties(), Runtime.getRuntime().availableProcessors());
  }

  static boolean widenCommonPool(java.util.Properties properties, int cores) {
    if (cores > 2 || properties.getProperty(COMMON_POOL_PARALLELISM) != null) {
      return false;
    }
    properties.setProperty(COMMON_POOL_PARALLELISM, "2");
    return true;
  }

  /** The command line, wired to {@code environment}; tests set its output writers. */
  static CommandLine commandLine(CliEnvironment environment) {
    CommandLine cl = new CommandLine(new AnyCapBatch(environment));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((e, args) -> {
      CommandLine c = e.getCommandLine();
      PrintWriter err = c.getErr();
      boolean suggested = false;
      if (!(e instanceof UnmatchedArgumentException) && !c.getUnmatchedArguments().isEmpty()) {
        // A misspelt flag leaves a required one missing, and picocli reports only that: name the
        // misspelling first, as it is what the user must fix.
        UnmatchedArgumentException unknown = new UnmatchedArgumentException(c, c.getUnmatchedArguments());
        err.println("anycap-batch: " + unknown.getMessage());
        suggested = UnmatchedArgumentException.printSuggestions(unknown, err);
      }
      err.println("anycap-batch: " + e.getMessage());
      if (!suggested && !UnmatchedArgumentException.printSuggestions(e, err)) {
        err.println("See '" + c.getCommandSpec().qualifiedName() + " --help'.");
      }
      err.flush();
      return ExitCodes.BAD_INPUT;
    });
    cl.setExecutionExceptionHandler((e, c, parsed) -> {
      // A bug or an environment problem nobody foresaw: say what, without a wall of stack trace.
      PrintWriter err = c.getErr();
      err.println("anycap-batch: unexpected error: " + e);
      err.flush();
      return ExitCodes.SOME_FAILED;
    });
    return cl;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AnyCapBatch.class.getPackage().getImplementationVersion();
      return new String[] {"anycap-batch " + (v == null ? "(development build)" : v)};
    }
  }
}

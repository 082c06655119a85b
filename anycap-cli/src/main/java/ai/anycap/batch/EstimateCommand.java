package ai.anycap.batch;

import ai.anycap.client.PriceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code anycap-batch estimate}: what {@code run} with the same arguments would cost, after checking
 * every row. Sends nothing and needs no key.
 */
@Command(
    name = "estimate",
    sortOptions = false,
    abbreviateSynopsis = true,
    mixinStandardHelpOptions = true,
    header = "What a run would cost; generates nothing.",
    description = {
        "Checks every row as run would and prints what it would cost: jobs per model,",
        "credits, dollars, and what rows sharing a request save. Takes run's arguments;",
        "writes nothing, needs no key. With ANYCAP_API_KEY (or --simulate) it also asks",
        "the API, free of charge, for the models, their schemas and the credit balance;",
        "it never generates."},
    footer = {"", "Exit codes: 0 the batch is valid and priced; 2 bad input, or a model with no known price",
        "(give one with --price MODEL=USD)."})
final class EstimateCommand implements Callable<Integer> {

  private static String published() {
    List<String> prices = new ArrayList<>();
    PriceTable.defaults().prices().forEach((model, usd) -> prices.add(model + " " + Money.usd(usd)));
    return String.join(", ", prices);
  }

  @Spec CommandSpec spec;

  @Mixin JobOptions job;
  @Mixin BudgetOptions budget;
  @Mixin CostOptions cost;

  @ParentCommand AnyCapBatch parent;

  // Run's other flags are accepted, so that "run" can be replaced by "estimate" in any command
  // line; they change nothing here except that delivery flags are checked.
  @Mixin SimulationOptions simulation;
  @Mixin DeliveryOptions delivery;
  @Option(names = "--concurrency", hidden = true) Integer ignoredConcurrency;
  @Option(names = "--max-attempts", hidden = true) Integer ignoredMaxAttempts;
  @Option(names = "--rate-limit", hidden = true) Double ignoredRateLimit;
  @Option(names = "--dry-run", hidden = true) boolean ignoredDryRun;

  @Override
  public Integer call() {
    boolean simulate = simulation.simulate;
    Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), simulate);
    try {
      simulation.checkConsistent();
      delivery.check(parent.environment);
      BatchInput input = BatchInput.read(job);
      OfflineCheck.Result check = OfflineCheck.check(input, budget.budget(), cost);
      // The API's word on the models first: an unknown model is a better message than its missing price.
      List<String> notes = Connection.checkIfPossible(simulation, parent.environment, input, budget.budget(), cost);
      List<String> unpriced = check.estimate().unpricedModels();
      if (!unpriced.isEmpty()) {
        throw new BadInputException(SummaryTable.unpriced(unpriced) + ": the dollar cost of "
            + Money.plain(check.estimate().credits()) + " credits is unknown. Check the model id (published prices: "
            + published() + "), or give the price of one image of each with --price MODEL=USD");
      }
      console.out(SummaryTable.ofEstimate(job.csv.getFileName().toString(), check, budget.budget(), simulate));
      notes.forEach(n -> console.err("note: " + n));
      return ExitCodes.ALL_SUCCEEDED;
    } catch (BadInputException e) {
      console.error(e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
  }
}

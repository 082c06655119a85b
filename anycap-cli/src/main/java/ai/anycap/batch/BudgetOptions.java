package ai.anycap.batch;

import ai.anycap.pipeline.Budget;
import java.math.BigDecimal;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** {@code --budget-credits} or {@code --budget-usd}: the most a run may spend. */
final class BudgetOptions {

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Limit limit;

  static final class Limit {
    @Option(names = "--budget-credits", paramLabel = "N",
        description = "Spend at most N credits; jobs beyond it are skipped, not started.")
    Long credits;

    @Option(names = "--budget-usd", paramLabel = "AMOUNT",
        description = "Spend at most this many US dollars, at the published prices.")
    BigDecimal usd;
  }

  Budget budget() {
    if (limit == null) {
      return Budget.unlimited();
    }
    try {
      return limit.credits != null ? Budget.credits(limit.credits) : Budget.dollars(limit.usd);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }
}

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

  /**
   * The budget the flags give.
   *
   * @throws BadInputException naming the flag, for a negative budget or one of 0, in which no job
   *     fits
   */
  Budget budget() {
    if (limit == null) {
      return Budget.unlimited();
    }
    boolean credits = limit.credits != null;
    String flag = credits ? "--budget-credits" : "--budget-usd";
    BigDecimal amount = credits ? BigDecimal.valueOf(limit.credits) : limit.usd;
    if (amount.signum() < 0) {
      throw new BadInputException(flag + " must not be negative, got " + amount.toPlainString());
    }
    if (amount.signum() == 0) {
      throw new BadInputException(flag + " " + amount.toPlainString() + ": no job fits in a budget of 0; give a"
          + " positive " + (credits ? "number of credits" : "amount") + ", or leave " + flag + " out for no limit");
    }
    return credits ? Budget.credits(limit.credits) : Budget.dollars(limit.usd);
  }
}

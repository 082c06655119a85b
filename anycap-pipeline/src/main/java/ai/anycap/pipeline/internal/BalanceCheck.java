package ai.anycap.pipeline.internal;

import static ai.anycap.pipeline.internal.PipelineSettings.BUDGET;

import ai.anycap.client.AnyCapException;
import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.JobSource;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Holds a batch's estimate against the account's credit balance ({@code GET /v1/status}, free),
 * so that a batch the account cannot pay for is refused before its first request instead of
 * stopping at a 402 part way. A credit budget within the balance caps what the batch can spend,
 * so it passes: that is how a user runs what the balance covers. A status call that fails, or
 * reports no balance, lets the batch go on.
 */
final class BalanceCheck {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("ai.anycap.pipeline");

  private BalanceCheck() {}

  /**
   * What is short, or null when the balance covers the batch or cannot be known.
   *
   * @param validEntries the entries that can run: at one credit each, an upper bound of the
   *     estimate, so that the estimate (a second pass over the source) is made only when needed
   */
  static String shortfall(PipelineCore core, JobSource source, long validEntries) {
    Optional<BigDecimal> reported;
    try {
      reported = core.client().status().creditBalance();
    } catch (AnyCapException e) {
      log.info("the credit balance is not known ({}); the batch is not checked against it", e.getMessage());
      return null;
    }
    if (reported.isEmpty()) {
      return null;
    }
    BigDecimal balance = reported.get();
    Budget budget = core.settings().get(BUDGET);
    if (budget.unit() == Budget.Unit.CREDITS && budget.limit().compareTo(balance) <= 0) {
      return null;
    }
    if (BigDecimal.valueOf(validEntries).compareTo(balance) <= 0) {
      return null;
    }
    BigDecimal needed = Estimation.of(source, core).credits();
    if (needed.compareTo(balance) <= 0) {
      return null;
    }
    return "the batch needs about " + needed.toPlainString() + " credits, and the account holds "
        + balance.toPlainString() + ": top up, or set a credit budget of at most " + balance.toPlainString()
        + " to generate what the balance covers";
  }
}

package ai.anycap.pipeline.internal;

import ai.anycap.client.PriceTable;
import ai.anycap.pipeline.Budget;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps spending within the budget, counting what may have been spent as spent. An attempt
 * reserves its expected cost before it is sent (one image at the credits per image last seen for
 * its operation and model, the price table's credits for the operation until then, or at its
 * dollar price for a dollar budget); an answer settles the real cost; an attempt whose outcome is
 * unknown (it may have been generated and billed) keeps its reservation for good, as possibly
 * billed. So the budget caps the most that can have been spent: confirmed, plus possibly billed,
 * plus reserved by attempts in flight. Once a reservation does not fit, no job starts any more.
 */
public final class Spending {

  /**
   * What something costs, in credits and in dollars (0 dollars for a call the table cannot price).
   *
   * @param credits the credits
   * @param usd the dollars
   */
  record Cost(BigDecimal credits, BigDecimal usd) {}

  private final Budget budget;
  private final PriceTable prices;
  /** Credits per image seen in answers, by operation and model. */
  private final Map<String, BigDecimal> creditsPerImage = new HashMap<>();
  private BigDecimal spentCredits = BigDecimal.ZERO;
  private BigDecimal spentUsd = BigDecimal.ZERO;
  /** What possibly billed attempts may have cost, in the budget's unit. */
  private BigDecimal uncertain = BigDecimal.ZERO;
  private BigDecimal reserved = BigDecimal.ZERO;
  private boolean exhausted;

  public Spending(Budget budget, PriceTable prices) {
    this.budget = budget;
    this.prices = prices;
  }

  /** The cost a call is expected to have, in the budget's unit (credits when unlimited); null when unpriced. */
  public synchronized BigDecimal expectedCost(JobCall call) {
    if (budget.unit() == Budget.Unit.USD) {
      return prices.usdPerImage(call.operation(), call.model()).orElse(null);
    }
    return expectedCredits(call);
  }

  /** The credits a call is expected to cost: as its last answer said, else as the price table says. */
  synchronized BigDecimal expectedCredits(JobCall call) {
    BigDecimal seen = creditsPerImage.get(key(call));
    return seen != null ? seen : prices.creditsPerImage(call.operation());
  }

  private static String key(JobCall call) {
    return call.operation().value() + " " + call.model();
  }

  /** Whether a dollar budget can price this call. */
  public boolean canPrice(JobCall call) {
    return budget.unit() != Budget.Unit.USD || prices.usdPerImage(call.operation(), call.model()).isPresent();
  }

  /** Reserves an attempt's expected cost; null when that would break the budget. */
  public synchronized BigDecimal tryReserve(JobCall call) {
    if (!budget.isLimited()) {
      return BigDecimal.ZERO;
    }
    if (exhausted) {
      return null;
    }
    BigDecimal cost = expectedCost(call);
    if (cost == null || spent().add(uncertain).add(reserved).add(cost).compareTo(budget.limit()) > 0) {
      exhausted = true;
      return null;
    }
    reserved = reserved.add(cost);
    return cost;
  }

  /** Releases a reservation and books what the job really spent. */
  public synchronized void settle(BigDecimal reservation, JobCall call, BigDecimal credits, long images) {
    reserved = reserved.subtract(reservation);
    spentCredits = spentCredits.add(credits);
    spentUsd = spentUsd.add(usd(call, images));
    if (images > 0 && credits.signum() > 0) {
      creditsPerImage.put(key(call), credits.divide(BigDecimal.valueOf(images), MathContext.DECIMAL64));
    }
  }

  /**
   * Books an attempt whose outcome is unknown: its reservation stays spent for good.
   *
   * @return what it may have cost, for the report
   */
  public synchronized Cost possiblyBilled(BigDecimal reservation, JobCall call) {
    reserved = reserved.subtract(reservation);
    uncertain = uncertain.add(reservation);
    return new Cost(expectedCredits(call), usd(call, 1));
  }

  /** The dollar price of {@code images} images of this call; 0 when the table has no price. */
  public BigDecimal usd(JobCall call, long images) {
    return prices.estimate(call.operation(), call.model(), images).orElse(BigDecimal.ZERO);
  }

  private BigDecimal spent() {
    return budget.unit() == Budget.Unit.USD ? spentUsd : spentCredits;
  }

  public synchronized String describeLimit() {
    return "budget of " + budget + " reached (spent " + spent().toPlainString()
        + (uncertain.signum() > 0 ? ", " + uncertain.toPlainString() + " possibly billed" : "")
        + (reserved.signum() > 0 ? ", " + reserved.toPlainString() + " reserved by running jobs" : "") + ")";
  }
}

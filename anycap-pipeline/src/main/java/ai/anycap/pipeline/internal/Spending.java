package ai.anycap.pipeline.internal;

import ai.anycap.client.PriceTable;
import ai.anycap.pipeline.Budget;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps spending within the budget. A job reserves its expected cost before it starts (one image
 * at the credits per image last seen for its model, 1 until then, or at the model's price for a
 * dollar budget) and settles the real cost when it ends; a job whose reservation would take
 * spending past the limit does not start, and neither does any job after it.
 */
public final class Spending {

  private final Budget budget;
  private final PriceTable prices;
  private final Map<String, BigDecimal> creditsPerImage = new HashMap<>();
  private BigDecimal spentCredits = BigDecimal.ZERO;
  private BigDecimal spentUsd = BigDecimal.ZERO;
  private BigDecimal reserved = BigDecimal.ZERO;
  private boolean exhausted;

  public Spending(Budget budget, PriceTable prices) {
    this.budget = budget;
    this.prices = prices;
  }

  /** The cost a job of this model is expected to have, in the budget's unit (credits when unlimited). */
  public synchronized BigDecimal expectedCost(String model) {
    if (budget.unit() == Budget.Unit.USD) {
      return prices.usdPerImage(model).orElse(null);
    }
    return creditsPerImage.getOrDefault(model, BigDecimal.ONE);
  }

  /** Whether a dollar budget can price this model. */
  public boolean canPrice(String model) {
    return budget.unit() != Budget.Unit.USD || prices.usdPerImage(model).isPresent();
  }

  /** Reserves a job's expected cost; null when that would break the budget. */
  public synchronized BigDecimal tryReserve(String model) {
    if (!budget.isLimited()) {
      return BigDecimal.ZERO;
    }
    if (exhausted) {
      return null;
    }
    BigDecimal cost = expectedCost(model);
    BigDecimal spent = budget.unit() == Budget.Unit.USD ? spentUsd : spentCredits;
    if (cost == null || spent.add(reserved).add(cost).compareTo(budget.limit()) > 0) {
      exhausted = true;
      return null;
    }
    reserved = reserved.add(cost);
    return cost;
  }

  /** Releases a reservation and books what the job really spent. */
  public synchronized void settle(BigDecimal reservation, String model, BigDecimal credits, long images) {
    reserved = reserved.subtract(reservation);
    spentCredits = spentCredits.add(credits);
    spentUsd = spentUsd.add(usd(model, images));
    if (images > 0 && credits.signum() > 0) {
      creditsPerImage.put(model, credits.divide(BigDecimal.valueOf(images), java.math.MathContext.DECIMAL64));
    }
  }

  /** The dollar price of {@code images} images of {@code model}; 0 when the table has no price. */
  public BigDecimal usd(String model, long images) {
    return prices.estimate(model, images).orElse(BigDecimal.ZERO);
  }

  public synchronized String describeLimit() {
    BigDecimal spent = budget.unit() == Budget.Unit.USD ? spentUsd : spentCredits;
    return "budget of " + budget + " reached (spent " + spent.toPlainString()
        + (reserved.signum() > 0 ? ", " + reserved.toPlainString() + " reserved by running jobs" : "") + ")";
  }
}

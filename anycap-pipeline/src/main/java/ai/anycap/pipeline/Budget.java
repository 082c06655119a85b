package ai.anycap.pipeline;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A spending limit for a pipeline, in AnyCap credits or in US dollars (priced through the
 * pipeline's {@link ai.anycap.client.PriceTable}). Once the next job could take spending past
 * the limit, no new job starts: running jobs finish, and the rest are reported as skipped for
 * budget. The limit holds for the pipeline's whole life, across runs. Immutable.
 */
public final class Budget {

  /** What a budget counts. */
  public enum Unit {
    /** AnyCap credits, as the server charges them. */
    CREDITS,
    /** US dollars, by the pipeline's price table. */
    USD
  }

  private static final Budget UNLIMITED = new Budget(null, null);

  private final Unit unit;
  private final BigDecimal limit;

  private Budget(Unit unit, BigDecimal limit) {
    this.unit = unit;
    this.limit = limit;
  }

  /**
   * At most this many credits.
   *
   * @param credits the limit, not negative
   * @return the budget
   * @throws IllegalArgumentException when it is negative, naming the parameter
   */
  public static Budget credits(long credits) {
    return credits(BigDecimal.valueOf(credits));
  }

  /**
   * At most this many credits.
   *
   * @param credits the limit, not negative
   * @return the budget
   * @throws IllegalArgumentException when it is negative, naming the parameter
   */
  public static Budget credits(BigDecimal credits) {
    return new Budget(Unit.CREDITS, nonNegative(credits, "Budget.credits(credits)"));
  }

  /**
   * At most this many US dollars, priced per image with the pipeline's price table.
   *
   * @param usd the limit, not negative
   * @return the budget
   * @throws IllegalArgumentException when it is negative, naming the parameter
   */
  public static Budget dollars(BigDecimal usd) {
    return new Budget(Unit.USD, nonNegative(usd, "Budget.dollars(usd)"));
  }

  /**
   * At most this many US dollars, such as {@code "50.00"}.
   *
   * @param usd the limit as a decimal number, not negative
   * @return the budget
   * @throws IllegalArgumentException when it is negative, naming the parameter
   */
  public static Budget dollars(String usd) {
    return dollars(new BigDecimal(Objects.requireNonNull(usd, "usd")));
  }

  /** {@return no limit; the default} */
  public static Budget unlimited() {
    return UNLIMITED;
  }

  /** {@return whether there is a limit} */
  public boolean isLimited() {
    return unit != null;
  }

  /** {@return the unit, or null when unlimited} */
  public Unit unit() {
    return unit;
  }

  /** {@return the limit, or null when unlimited} */
  public BigDecimal limit() {
    return limit;
  }

  private static BigDecimal nonNegative(BigDecimal v, String parameter) {
    Objects.requireNonNull(v, parameter);
    if (v.signum() < 0) {
      throw new IllegalArgumentException(
          parameter + " must not be negative, got " + v.toPlainString() + " (the limit for ImagePipelineBuilder.budget)");
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Budget b
        && Objects.equals(unit, b.unit)
        && (limit == null ? b.limit == null : b.limit != null && limit.compareTo(b.limit) == 0);
  }

  @Override
  public int hashCode() {
    return Objects.hash(unit, limit == null ? null : limit.stripTrailingZeros());
  }

  @Override
  public String toString() {
    if (unit == null) {
      return "Budget[unlimited]";
    }
    return unit == Unit.USD ? "Budget[$" + limit.toPlainString() + "]" : "Budget[" + limit.toPlainString() + " credits]";
  }
}

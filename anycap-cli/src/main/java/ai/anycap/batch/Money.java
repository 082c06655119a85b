package ai.anycap.batch;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How the CLI writes amounts. Dollars always show cents ({@code $0.10}, never {@code $0.1}) and
 * keep what a price per image needs ({@code $0.005}, up to four decimals); what is cut off is
 * rounded up, so that an estimate never promises less than a run may cost.
 */
final class Money {

  private static final int MAX_DECIMALS = 4;

  private Money() {}

  /** Dollars with their sign: {@code $0.10}, {@code $0.005}, {@code $12.00}. */
  static String usd(BigDecimal amount) {
    return "$" + usdDigits(amount);
  }

  /** Dollars without the sign, for text that puts it elsewhere ({@code ~$}). */
  static String usdDigits(BigDecimal amount) {
    int scale = Math.max(2, Math.min(MAX_DECIMALS, amount.stripTrailingZeros().scale()));
    return amount.setScale(scale, RoundingMode.UP).toPlainString();
  }

  /** Credits (or any count that may have decimals) as plainly as possible: {@code 20}, {@code 1.5}. */
  static String plain(BigDecimal amount) {
    return amount.signum() == 0 ? "0" : amount.stripTrailingZeros().toPlainString();
  }
}

package ai.anycap.batch;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.PriceTable;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** What a run costs and what it may save: prices for models without a published one, and de-duplication. */
final class CostOptions {

  /** The name {@code --price} takes for the upscale operation, which names no model. */
  private static final String UPSCALE = ImageOperation.UPSCALE.value();

  @Option(names = "--price", paramLabel = "MODEL=USD",
      description = "The dollar price of one image of MODEL, for a model with no published price (or to override"
          + " one): --price nano-banana-pro=0.01; --price upscale=USD prices an upscale. Repeatable.")
  Map<String, String> prices = new LinkedHashMap<>();

  @Option(names = "--no-dedupe",
      description = "Generate every row, even rows whose request (prompt, model, parameters) an earlier row also"
          + " makes; by default such a row gets a copy of that image, free.")
  boolean noDedupe;

  /**
   * The published prices with {@code --price} on top.
   *
   * @throws BadInputException naming the flag, for a price that is not a non-negative amount
   */
  PriceTable priceTable() {
    PriceTable.Builder b = PriceTable.defaults().toBuilder();
    prices.forEach((model, usd) -> {
      BigDecimal price;
      try {
        price = new BigDecimal(usd.strip().startsWith("$") ? usd.strip().substring(1) : usd.strip());
      } catch (NumberFormatException e) {
        throw new BadInputException("--price " + model + "=" + usd + ": expected dollars per image, such as "
            + model + "=0.01");
      }
      if (price.signum() < 0 || model.isBlank()) {
        throw new BadInputException("--price " + model + "=" + usd + ": expected a model and a price of 0 or more");
      }
      if (model.strip().equals(UPSCALE)) {
        b.price(ImageOperation.UPSCALE, price); // an upscale names no model: its price is the operation's
      } else {
        b.price(model.strip(), price);
      }
    });
    return b.build();
  }

  /** Whether identical requests are generated once. */
  boolean deduplicate() {
    return !noDedupe;
  }
}

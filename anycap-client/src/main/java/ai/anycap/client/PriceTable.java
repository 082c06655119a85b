package ai.anycap.client;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * US dollar prices per image by model, for estimates and dollar budgets. {@link #defaults()} holds
 * the published figures (nano-banana-2 $0.005, seedream-5 $0.015); prices change and other models
 * have none published, so override them:
 *
 * <pre>{@code
 * PriceTable prices = PriceTable.defaults().toBuilder()
 *     .price("nano-banana-pro", new BigDecimal("0.010"))
 *     .build();
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class PriceTable {

  private static final PriceTable DEFAULTS =
      builder()
          .price(Model.NANO_BANANA_2.id(), new BigDecimal("0.005"))
          .price(Model.SEEDREAM_5.id(), new BigDecimal("0.015"))
          .build();

  private final Map<String, BigDecimal> usdPerImage;

  private PriceTable(Map<String, BigDecimal> usdPerImage) {
    this.usdPerImage = Collections.unmodifiableMap(new LinkedHashMap<>(usdPerImage));
  }

  /**
   * The published prices: nano-banana-2 $0.005 and seedream-5 $0.015 an image.
   *
   * @return the shared default table
   */
  public static PriceTable defaults() {
    return DEFAULTS;
  }

  /**
   * An empty table, to be filled by the builder.
   *
   * @return a new builder holding no price
   */
  public static Builder builder() {
    return new Builder(Map.of());
  }

  /**
   * A builder holding this table's prices, to override or add some.
   *
   * @return a new builder; changing it does not change this table
   */
  public Builder toBuilder() {
    return new Builder(usdPerImage);
  }

  /**
   * The price of one image of this model.
   *
   * @param model a model id
   * @return US dollars, or empty when the table has no price for the model
   */
  public Optional<BigDecimal> usdPerImage(String model) {
    return Optional.ofNullable(usdPerImage.get(Objects.requireNonNull(model, "model")));
  }

  /**
   * The price of {@code images} images of this model.
   *
   * @param model a model id
   * @param images how many images
   * @return US dollars, exact; empty when the table has no price for the model
   */
  public Optional<BigDecimal> estimate(String model, long images) {
    return usdPerImage(model).map(p -> p.multiply(BigDecimal.valueOf(images)));
  }

  /**
   * Every price, by model id.
   *
   * @return US dollars per image, in the order the prices were set; unmodifiable
   */
  public Map<String, BigDecimal> prices() {
    return usdPerImage;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PriceTable t && usdPerImage.equals(t.usdPerImage);
  }

  @Override
  public int hashCode() {
    return usdPerImage.hashCode();
  }

  @Override
  public String toString() {
    return "PriceTable" + usdPerImage;
  }

  /** Collects prices; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private final Map<String, BigDecimal> prices;

    private Builder(Map<String, BigDecimal> prices) {
      this.prices = new LinkedHashMap<>(prices);
    }

    /**
     * Sets the dollar price of one image of {@code model}, replacing any earlier one. Default:
     * the prices the builder started with (none from {@link PriceTable#builder()}).
     *
     * @param model a model id
     * @param usdPerImage US dollars, not negative
     * @return this builder
     */
    public Builder price(String model, BigDecimal usdPerImage) {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(usdPerImage, "usdPerImage");
      if (usdPerImage.signum() < 0) {
        throw new IllegalArgumentException("price of " + model + " must not be negative");
      }
      prices.put(model, usdPerImage);
      return this;
    }

    /**
     * As {@link #price(String, BigDecimal)}, for a known model.
     *
     * @param model the model
     * @param usdPerImage US dollars, not negative
     * @return this builder
     */
    public Builder price(Model model, BigDecimal usdPerImage) {
      return price(Objects.requireNonNull(model, "model").id(), usdPerImage);
    }

    /**
     * Removes the model's price, so estimates say it has none.
     *
     * @param model a model id
     * @return this builder
     */
    public Builder remove(String model) {
      prices.remove(model);
      return this;
    }

    /**
     * Builds the table; the builder can be reused.
     *
     * @return a new, immutable table
     */
    public PriceTable build() {
      return new PriceTable(prices);
    }
  }
}

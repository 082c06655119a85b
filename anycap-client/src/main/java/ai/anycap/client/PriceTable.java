package ai.anycap.client;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What images cost, for estimates and budgets: US dollars per image by operation and model, and
 * the credits an operation usually charges per image. {@link #defaults()} holds the published
 * figures (generate with nano-banana-2 $0.005, seedream-5 $0.015) and the credits seen in the
 * recorded answers (1 an image, 2 an upscale); prices change and other models have none
 * published, so override them:
 *
 * <pre>{@code
 * PriceTable prices = PriceTable.defaults().toBuilder()
 *     .price("nano-banana-pro", new BigDecimal("0.010"))                       // generate (and edit)
 *     .price(ImageOperation.EDIT, "nano-banana-pro", new BigDecimal("0.012"))  // edit, priced apart
 *     .price(ImageOperation.UPSCALE, new BigDecimal("0.010"))                  // any upscale
 *     .build();
 * }</pre>
 *
 * <p>A price is looked up by operation and model, then by the operation for any model; an edit
 * with no price of its own costs what generating with its model costs. {@link
 * ImageOperation#READ} is priced per call. Immutable and thread-safe.
 */
public final class PriceTable {

  /** What a price applies to: an operation with one model, or with any model ({@code model} null). */
  private record Key(ImageOperation operation, String model) {
    @Override
    public String toString() {
      String m = model == null ? "*" : model;
      return operation == ImageOperation.GENERATE ? m : operation.value() + ":" + m;
    }
  }

  private static final Map<ImageOperation, BigDecimal> RECORDED_CREDITS = Map.of(
      ImageOperation.GENERATE, BigDecimal.ONE,
      ImageOperation.EDIT, BigDecimal.ONE,
      ImageOperation.UPSCALE, BigDecimal.valueOf(2),
      ImageOperation.READ, BigDecimal.ONE);

  private static final PriceTable DEFAULTS =
      builder()
          .price(Model.NANO_BANANA_2.id(), new BigDecimal("0.005"))
          .price(Model.SEEDREAM_5.id(), new BigDecimal("0.015"))
          .build();

  private final Map<Key, BigDecimal> usd;
  private final Map<ImageOperation, BigDecimal> credits;

  private PriceTable(Map<Key, BigDecimal> usd, Map<ImageOperation, BigDecimal> credits) {
    this.usd = Collections.unmodifiableMap(new LinkedHashMap<>(usd));
    this.credits = Collections.unmodifiableMap(new EnumMap<>(credits));
  }

  /**
   * The published prices: generate with nano-banana-2 $0.005 and with seedream-5 $0.015 an
   * image (edits with them alike); credits 1 an image and 2 an upscale.
   *
   * @return the shared default table
   */
  public static PriceTable defaults() {
    return DEFAULTS;
  }

  /**
   * A table with no dollar price, and the recorded credits (1 an image, 2 an upscale), to be
   * filled by the builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(Map.of(), RECORDED_CREDITS);
  }

  /**
   * A builder holding this table's prices, to override or add some.
   *
   * @return a new builder; changing it does not change this table
   */
  public Builder toBuilder() {
    return new Builder(usd, credits);
  }

  /**
   * The price of generating one image with this model.
   *
   * @param model a model id
   * @return US dollars, or empty when the table has no price for the model
   */
  public Optional<BigDecimal> usdPerImage(String model) {
    return usdPerImage(ImageOperation.GENERATE, Objects.requireNonNull(model, "model"));
  }

  /**
   * The price of one image of this operation with this model (of one call, for {@link
   * ImageOperation#READ}): the price set for both, else the operation's price for any model,
   * else, for an edit, the price of generating with the model.
   *
   * @param operation the operation
   * @param model a model id, or null for an operation that takes none (upscale, read)
   * @return US dollars, or empty when the table has no price for it
   */
  public Optional<BigDecimal> usdPerImage(ImageOperation operation, String model) {
    Objects.requireNonNull(operation, "operation");
    BigDecimal price = model == null ? null : usd.get(new Key(operation, model));
    if (price == null) {
      price = usd.get(new Key(operation, null));
    }
    if (price == null && operation == ImageOperation.EDIT) {
      return usdPerImage(ImageOperation.GENERATE, model);
    }
    return Optional.ofNullable(price);
  }

  /**
   * The credits one image of this operation usually costs (one call, for a read), for estimates
   * and credit budgets before the server has said; an answer's {@code credit_cost} is what counts.
   *
   * @param operation the operation
   * @return credits, not negative
   */
  public BigDecimal creditsPerImage(ImageOperation operation) {
    return credits.get(Objects.requireNonNull(operation, "operation"));
  }

  /**
   * The price of generating {@code images} images with this model.
   *
   * @param model a model id
   * @param images how many images
   * @return US dollars, exact; empty when the table has no price for the model
   */
  public Optional<BigDecimal> estimate(String model, long images) {
    return estimate(ImageOperation.GENERATE, Objects.requireNonNull(model, "model"), images);
  }

  /**
   * The price of {@code images} images of this operation with this model, as {@link
   * #usdPerImage(ImageOperation, String)} prices one.
   *
   * @param operation the operation
   * @param model a model id, or null for an operation that takes none
   * @param images how many images (calls, for a read)
   * @return US dollars, exact; empty when the table has no price for it
   */
  public Optional<BigDecimal> estimate(ImageOperation operation, String model, long images) {
    return usdPerImage(operation, model).map(p -> p.multiply(BigDecimal.valueOf(images)));
  }

  /**
   * The prices of generating an image, by model id.
   *
   * @return US dollars per image, in the order the prices were set; unmodifiable
   */
  public Map<String, BigDecimal> prices() {
    Map<String, BigDecimal> generate = new LinkedHashMap<>();
    usd.forEach((k, v) -> {
      if (k.operation() == ImageOperation.GENERATE && k.model() != null) {
        generate.put(k.model(), v);
      }
    });
    return Collections.unmodifiableMap(generate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PriceTable t && usd.equals(t.usd) && credits.equals(t.credits);
  }

  @Override
  public int hashCode() {
    return Objects.hash(usd, credits);
  }

  @Override
  public String toString() {
    return "PriceTable" + usd + ", credits " + credits;
  }

  /** Collects prices; not thread-safe, {@link #build()} copies. */
  public static final class Builder {
    private final Map<Key, BigDecimal> prices;
    private final Map<ImageOperation, BigDecimal> credits;

    private Builder(Map<Key, BigDecimal> prices, Map<ImageOperation, BigDecimal> credits) {
      this.prices = new LinkedHashMap<>(prices);
      this.credits = new EnumMap<>(credits);
    }

    /**
     * Sets the dollar price of generating one image with {@code model} (and of editing with it,
     * unless an edit price is set), replacing any earlier one. Default: the prices the builder
     * started with (none from {@link PriceTable#builder()}).
     *
     * @param model a model id
     * @param usdPerImage US dollars, not negative
     * @return this builder
     */
    public Builder price(String model, BigDecimal usdPerImage) {
      return price(ImageOperation.GENERATE, Objects.requireNonNull(model, "model"), usdPerImage);
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
     * Sets the dollar price of one image of {@code operation} with {@code model}, replacing any
     * earlier one. Default: none (an edit then costs what generating with its model costs).
     *
     * @param operation the operation
     * @param model a model id
     * @param usdPerImage US dollars, not negative
     * @return this builder
     */
    public Builder price(ImageOperation operation, String model, BigDecimal usdPerImage) {
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(model, "model");
      prices.put(new Key(operation, model), nonNegative(usdPerImage, "price of " + operation + " with " + model));
      return this;
    }

    /**
     * Sets the dollar price of one image of {@code operation} with any model that has no price
     * of its own: how upscales and reads (which name no model) are priced. Default: none.
     *
     * @param operation the operation
     * @param usdPerImage US dollars, not negative
     * @return this builder
     */
    public Builder price(ImageOperation operation, BigDecimal usdPerImage) {
      Objects.requireNonNull(operation, "operation");
      prices.put(new Key(operation, null), nonNegative(usdPerImage, "price of " + operation.value()));
      return this;
    }

    /**
     * Sets the credits one image of {@code operation} usually costs. Default: 1, and 2 for
     * {@link ImageOperation#UPSCALE} (the recorded answers' {@code credit_cost}).
     *
     * @param operation the operation
     * @param credits credits, not negative
     * @return this builder
     */
    public Builder credits(ImageOperation operation, BigDecimal credits) {
      Objects.requireNonNull(operation, "operation");
      this.credits.put(operation, nonNegative(credits, "credits of " + operation.value()));
      return this;
    }

    /**
     * Removes the price of generating with {@code model}, so estimates say it has none.
     *
     * @param model a model id
     * @return this builder
     */
    public Builder remove(String model) {
      prices.remove(new Key(ImageOperation.GENERATE, Objects.requireNonNull(model, "model")));
      return this;
    }

    /**
     * Builds the table; the builder can be reused.
     *
     * @return a new, immutable table
     */
    public PriceTable build() {
      return new PriceTable(prices, credits);
    }

    private static BigDecimal nonNegative(BigDecimal value, String what) {
      Objects.requireNonNull(value, what);
      if (value.signum() < 0) {
        throw new IllegalArgumentException(what + " must not be negative, got " + value);
      }
      return value;
    }
  }
}

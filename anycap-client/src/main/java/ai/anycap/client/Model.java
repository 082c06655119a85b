package ai.anycap.client;

import java.util.List;
import java.util.Objects;

/**
 * An image model id, with what it is best used for. The constants are the models in use today;
 * {@link #of(String)} accepts any other id, so a new model needs no SDK release.
 *
 * <pre>{@code
 * ImageRequest.builder().model(Model.SEEDREAM_5).prompt("hero shot of a mug").build();
 * }</pre>
 *
 * @param id the id sent as {@code model} on the wire, such as {@code nano-banana-2}
 * @param bestFor what the model suits, for people choosing one; empty for unknown models
 */
public record Model(String id, String bestFor) {

  /** Fastest and cheapest: bulk generation, variants, prototyping. */
  public static final Model NANO_BANANA_2 =
      new Model("nano-banana-2", "bulk generation, variants and prototyping: fastest, cheapest");

  /** Best image-to-image editing: revisions and refinements. */
  public static final Model NANO_BANANA_PRO =
      new Model("nano-banana-pro", "revisions and refinements: best image-to-image editing");

  /** Best first-pass quality: hero images and final output. */
  public static final Model SEEDREAM_5 =
      new Model("seedream-5", "hero images and final output: best first-pass quality");

  private static final List<Model> KNOWN = List.of(NANO_BANANA_2, NANO_BANANA_PRO, SEEDREAM_5);

  /**
   * A model description; {@link #of(String)} is the usual way to get one.
   *
   * @param id the id sent on the wire, not blank
   * @param bestFor what the model suits; empty when unknown
   */
  public Model {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(bestFor, "bestFor");
    if (id.isBlank()) {
      throw new IllegalArgumentException("model id must not be blank");
    }
  }

  /**
   * The model with this id.
   *
   * @param id any model id, such as {@code seedream-5}
   * @return one of the constants when it is one, otherwise a model with no description
   */
  public static Model of(String id) {
    Objects.requireNonNull(id, "id");
    for (Model m : KNOWN) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    return new Model(id, "");
  }

  /**
   * The models this SDK knows by name.
   *
   * @return the constants, cheapest first; unmodifiable
   */
  public static List<Model> known() {
    return KNOWN;
  }

  @Override
  public String toString() {
    return id;
  }
}

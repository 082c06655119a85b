package ai.anycap.client;

import java.util.Objects;

/**
 * A generation mode, sent as {@code mode}. The server infers {@link #TEXT_TO_IMAGE} when none is
 * given; {@link #IMAGE_TO_IMAGE} takes reference images. Other modes can be named with {@link
 * #of(String)}.
 *
 * @param value the wire value, such as {@code text-to-image}
 */
public record Mode(String value) {

  /** A prompt in, an image out: what the server infers when no mode is sent. */
  public static final Mode TEXT_TO_IMAGE = new Mode("text-to-image");

  /** A prompt and reference images in, a new image out. */
  public static final Mode IMAGE_TO_IMAGE = new Mode("image-to-image");

  /**
   * A mode by its wire value; {@link #of(String)} returns the constants for known values.
   *
   * @param value not blank
   */
  public Mode {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("mode must not be blank");
    }
  }

  /**
   * The mode with this wire value.
   *
   * @param value such as {@code text-to-image}
   * @return one of the constants when it is one, otherwise a new mode
   */
  public static Mode of(String value) {
    if (TEXT_TO_IMAGE.value.equals(value)) {
      return TEXT_TO_IMAGE;
    }
    if (IMAGE_TO_IMAGE.value.equals(value)) {
      return IMAGE_TO_IMAGE;
    }
    return new Mode(value);
  }

  @Override
  public String toString() {
    return value;
  }
}

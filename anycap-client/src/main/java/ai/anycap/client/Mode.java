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

  public static final Mode TEXT_TO_IMAGE = new Mode("text-to-image");
  public static final Mode IMAGE_TO_IMAGE = new Mode("image-to-image");

  public Mode {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("mode must not be blank");
    }
  }

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

package ai.anycap.client;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The billed image operations of the AnyCap API, as a {@link PriceTable} prices them and a batch
 * job names them: {@link #GENERATE} ({@code POST /v1/image/generate}), {@link #EDIT} ({@code POST
 * /v1/image/edit}), {@link #UPSCALE} ({@code POST /v1/image/upscale}) and {@link #READ} ({@code
 * POST /v1/capabilities/image/read}, which answers text, not an image).
 */
public enum ImageOperation {

  /** Makes an image from a prompt, and reference images in {@code image-to-image} mode. */
  GENERATE("generate"),
  /** Changes reference images as a prompt says. */
  EDIT("edit"),
  /** Enlarges an image to a resolution; takes no model and no prompt. */
  UPSCALE("upscale"),
  /** Describes or checks images; answers text. */
  READ("read");

  private final String value;

  ImageOperation(String value) {
    this.value = value;
  }

  /**
   * The operation's name as the API spells it, such as {@code edit} (the {@code operation} of a
   * model's schema).
   *
   * @return the name, lower case
   */
  public String value() {
    return value;
  }

  /**
   * The operation with this name, in any case.
   *
   * @param value such as {@code edit}
   * @return the operation
   * @throws IllegalArgumentException naming the known operations when there is none by that name
   */
  public static ImageOperation of(String value) {
    Objects.requireNonNull(value, "value");
    String v = value.strip().toLowerCase(Locale.ROOT);
    for (ImageOperation op : values()) {
      if (op.value.equals(v)) {
        return op;
      }
    }
    throw new IllegalArgumentException("unknown image operation '" + value + "'; known: "
        + Arrays.stream(values()).map(ImageOperation::value).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return value;
  }
}

package ai.anycap.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request to describe or check images, for {@link Images#read(ImageReadRequest)}: sent as
 * {@code {"images":[{"url":..},...],"instruction":".."}} and billed in credits.
 *
 * <pre>{@code
 * ImageReadRequest r = ImageReadRequest.builder()
 *     .image(Path.of("out/crane.png"))
 *     .instruction("Does the image show a paper crane? Answer yes or no.")
 *     .build();
 * }</pre>
 *
 * Immutable.
 *
 * @param images the images, at least one
 * @param instruction what to do with them
 */
public record ImageReadRequest(List<ImageRef> images, String instruction) {

  /**
   * Checks and copies the parts.
   *
   * @param images the images, at least one
   * @param instruction what to do with them, not blank
   * @throws IllegalArgumentException when there is no image or the instruction is blank
   */
  public ImageReadRequest {
    images = List.copyOf(Objects.requireNonNull(images, "images"));
    Objects.requireNonNull(instruction, "instruction");
    if (images.isEmpty()) {
      throw new IllegalArgumentException("ImageReadRequest needs an image");
    }
    if (instruction.isBlank()) {
      throw new IllegalArgumentException("ImageReadRequest needs a non-blank instruction");
    }
  }

  /**
   * A new builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The body with the image references in place, for the client to resolve. */
  Map<String, Object> wireBody() {
    List<Map<String, Object>> items = new ArrayList<>();
    images.forEach(i -> items.add(Map.of("url", i)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("images", items);
    body.put("instruction", instruction);
    return body;
  }

  /** Builds an {@link ImageReadRequest}; not thread-safe. */
  public static final class Builder {
    private final List<ImageRef> images = new ArrayList<>();
    private String instruction;

    private Builder() {}

    /**
     * Adds an image.
     *
     * @param image the image
     * @return this builder
     */
    public Builder image(ImageRef image) {
      images.add(Objects.requireNonNull(image, "image"));
      return this;
    }

    /**
     * Adds a local image, uploaded before the call.
     *
     * @param file the file
     * @return this builder
     */
    public Builder image(Path file) {
      return image(ImageRef.file(file));
    }

    /**
     * Adds an image by URL ({@code http(s)}, {@code anycap://upload/} or {@code file:}).
     *
     * @param url the URL
     * @return this builder
     */
    public Builder image(URI url) {
      return image(ImageRef.of(url));
    }

    /**
     * What to do with the images, such as {@code "Describe each image"}. Required; no default.
     *
     * @param instruction the instruction
     * @return this builder
     */
    public Builder instruction(String instruction) {
      this.instruction = Objects.requireNonNull(instruction, "instruction");
      return this;
    }

    /**
     * @return the request
     * @throws IllegalStateException when no image or no instruction was given
     */
    public ImageReadRequest build() {
      if (instruction == null) {
        throw new IllegalStateException("ImageReadRequest needs an instruction");
      }
      try {
        return new ImageReadRequest(images, instruction);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
  }
}

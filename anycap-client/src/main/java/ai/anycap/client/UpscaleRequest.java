package ai.anycap.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An upscale request for {@link Images#upscale(UpscaleRequest)}: the image and the target
 * resolution; no model is needed. Sent as {@code {"images":[url],"resolution":"4k"}}.
 *
 * <pre>{@code
 * UpscaleRequest r = UpscaleRequest.builder().image(Path.of("out/crane.png")).resolution("4k").build();
 * }</pre>
 *
 * Immutable.
 */
public final class UpscaleRequest {

  private final List<ImageRef> images;
  private final String resolution;
  private final Map<String, Object> params;

  private UpscaleRequest(Builder b) {
    this.images = List.copyOf(b.images);
    this.resolution = b.resolution;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
  }

  /**
   * A new builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The images to upscale, usually one.
   *
   * @return the images in order
   */
  public List<ImageRef> images() {
    return images;
  }

  /**
   * The target resolution, such as {@code 4k}.
   *
   * @return the resolution, when set
   */
  public Optional<String> resolution() {
    return Optional.ofNullable(resolution);
  }

  /**
   * Further parameters, flattened into the body.
   *
   * @return the parameters in insertion order
   */
  public Map<String, Object> params() {
    return params;
  }

  /** The body with the image references in place, for the client to resolve. */
  Map<String, Object> wireBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("images", images);
    if (resolution != null) {
      body.put("resolution", resolution);
    }
    body.putAll(params);
    return body;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpscaleRequest r
        && images.equals(r.images)
        && Objects.equals(resolution, r.resolution)
        && params.equals(r.params);
  }

  @Override
  public int hashCode() {
    return Objects.hash(images, resolution, params);
  }

  @Override
  public String toString() {
    return "UpscaleRequest{images=" + images + ", resolution=" + resolution + ", params=" + params + '}';
  }

  /** Builds an {@link UpscaleRequest}; not thread-safe, and {@link #build()} copies. */
  public static final class Builder {
    private final List<ImageRef> images = new ArrayList<>();
    private String resolution;
    private final Map<String, Object> params = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds an image to upscale.
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
     * The target resolution, such as {@code 2k} or {@code 4k}; default unset (the server's
     * default).
     *
     * @param resolution the resolution
     * @return this builder
     */
    public Builder resolution(String resolution) {
      Objects.requireNonNull(resolution, "resolution");
      if (resolution.isBlank()) {
        throw new IllegalArgumentException("resolution must not be blank");
      }
      this.resolution = resolution;
      return this;
    }

    /**
     * Sets a further parameter, as {@link ImageRequest.Builder#param(String, Object)} does;
     * default none.
     *
     * @param name the parameter name (not {@code images} or {@code resolution})
     * @param value a string, number, boolean, {@link ImageRef} or list of those
     * @return this builder
     */
    public Builder param(String name, Object value) {
      Objects.requireNonNull(name, "name");
      if (name.equals("images") || name.equals("resolution")) {
        throw new IllegalArgumentException("'" + name + "' has its own builder method");
      }
      params.put(name, ImageRequest.Builder.checkedValue(name, value));
      return this;
    }

    /**
     * @return the request
     * @throws IllegalStateException when no image was added
     */
    public UpscaleRequest build() {
      if (images.isEmpty()) {
        throw new IllegalStateException("UpscaleRequest needs an image");
      }
      return new UpscaleRequest(this);
    }
  }
}

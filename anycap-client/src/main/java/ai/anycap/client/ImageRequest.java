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
import java.util.Set;

/**
 * One image generation request: model, prompt, optional mode, model parameters and reference
 * images. Immutable; two requests are {@code equals} when they would send the same body, which is
 * what duplicate detection relies on.
 *
 * <pre>{@code
 * ImageRequest r = ImageRequest.builder()
 *     .model(Model.NANO_BANANA_2)
 *     .prompt("a paper crane on a wooden table")
 *     .param("aspect_ratio", "16:9")
 *     .build();
 * }</pre>
 *
 * <p>Parameters are flattened into the top level of the JSON body beside {@code model} and {@code
 * prompt}, as the AnyCap protocol wants; their values may be strings, numbers, booleans, {@link
 * ImageRef}s or lists of those. Reference images ({@link Builder#image(ImageRef)}) go into {@code
 * images}, always as a JSON array; local files among them, and in any parameter, are uploaded
 * when the request is sent and replaced by their {@code object_url}.
 */
public final class ImageRequest {

  /** Body keys the request sets itself; a parameter may not use them. */
  static final Set<String> RESERVED_KEYS = Set.of("model", "prompt", "mode", "images");

  private final String model;
  private final String prompt;
  private final Mode mode;
  private final Map<String, Object> params;
  private final List<ImageRef> images;

  private ImageRequest(Builder b) {
    this.model = b.model;
    this.prompt = b.prompt;
    this.mode = b.mode;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    this.images = List.copyOf(b.images);
  }

  /** The {@code aspect_ratio} values AnyCap's image models take, as {@link Builder#aspectRatioFor} picks from. */
  public static final List<String> ASPECT_RATIOS = List.of("1:1", "16:9", "9:16", "4:3", "3:4");

  /**
   * Starts a request; a model and a prompt are required.
   *
   * @return a new, empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this request, to derive a variant (another prompt, one more parameter).
   *
   * @return a new builder; changing it does not change this request
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.prompt = prompt;
    b.mode = mode;
    b.params.putAll(params);
    b.images.addAll(images);
    return b;
  }

  /**
   * The model id.
   *
   * @return such as {@code nano-banana-2}
   */
  public String model() {
    return model;
  }

  /**
   * The prompt, as it is sent.
   *
   * @return the prompt; never blank
   */
  public String prompt() {
    return prompt;
  }

  /**
   * The mode, when set; the server infers text-to-image otherwise.
   *
   * @return the mode, or empty
   */
  public Optional<Mode> mode() {
    return Optional.ofNullable(mode);
  }

  /**
   * Model parameters in insertion order.
   *
   * @return an unmodifiable map of name to string, number, boolean or list of those
   */
  public Map<String, Object> params() {
    return params;
  }

  /**
   * The reference images, sent as {@code images}.
   *
   * @return the references in order
   */
  public List<ImageRef> images() {
    return images;
  }

  /**
   * The reference images as URIs: URLs as they are, local files as {@code file:} URIs.
   *
   * @return the references in order
   */
  public List<URI> referenceImages() {
    return images.stream().map(ImageRef::uri).toList();
  }

  /**
   * The JSON body as the AnyCap API expects it: {@code model}, {@code prompt}, {@code mode}, the
   * parameters flattened, and {@code images} as an array. Local files appear as their {@code
   * file:} URIs; the client sends their {@code object_url} instead.
   *
   * @return a new mutable map holding strings, numbers, booleans and lists
   */
  public Map<String, Object> toBody() {
    Map<String, Object> body = wireBody();
    body.replaceAll((k, v) -> plain(v));
    return body;
  }

  /** The body with {@link ImageRef}s in place, for the client to resolve before sending. */
  Map<String, Object> wireBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    body.put("prompt", prompt);
    if (mode != null) {
      body.put("mode", mode.value());
    }
    body.putAll(params);
    if (!images.isEmpty()) {
      body.put("images", images);
    }
    return body;
  }

  private static Object plain(Object v) {
    if (v instanceof ImageRef ref) {
      return ref.uri().toString();
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(item -> out.add(plain(item)));
      return out;
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageRequest r
        && model.equals(r.model)
        && prompt.equals(r.prompt)
        && Objects.equals(mode, r.mode)
        && params.equals(r.params)
        && images.equals(r.images);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, prompt, mode, params, images);
  }

  @Override
  public String toString() {
    return "ImageRequest" + toBody();
  }

  /** Builds an {@link ImageRequest}; not thread-safe, and {@link #build()} copies. */
  public static final class Builder {
    private String model;
    private String prompt;
    private Mode mode;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final List<ImageRef> images = new ArrayList<>();

    private Builder() {}

    /**
     * The model, by id: any id the server knows works, listed in {@link Model} or not. Required;
     * no default.
     *
     * @param model such as {@code seedream-5}
     * @return this builder
     */
    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * The model, as one of the known constants. Required; no default.
     *
     * @param model such as {@link Model#NANO_BANANA_2}
     * @return this builder
     */
    public Builder model(Model model) {
      return model(Objects.requireNonNull(model, "model").id());
    }

    /**
     * The prompt, sent as it is. Required; no default.
     *
     * @param prompt not blank (checked by {@link #build()})
     * @return this builder
     */
    public Builder prompt(String prompt) {
      this.prompt = Objects.requireNonNull(prompt, "prompt");
      return this;
    }

    /**
     * The mode. Default: none sent, and the server infers text-to-image; image-to-image with
     * {@link #referenceImage(URI)} needs {@link Mode#IMAGE_TO_IMAGE}.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Sets one model parameter, such as {@code aspect_ratio}. Values may be strings, numbers,
     * booleans, {@link ImageRef}s (for a parameter whose schema says {@code file-or-url}) or lists
     * of those. Setting a name again replaces its value. Default: no parameters, the model's own
     * defaults.
     *
     * @param name the parameter's name, as the model's schema spells it
     * @param value a string, number, boolean, {@link ImageRef}, or a list of those (copied)
     * @return this builder
     * @throws IllegalArgumentException for a reserved key ({@code model}, {@code prompt}, {@code
     *     mode}, {@code images}) or a value of another type
     */
    public Builder param(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, () -> "value of parameter '" + name + "'");
      if (name.isBlank()) {
        throw new IllegalArgumentException("parameter name must not be blank");
      }
      if (RESERVED_KEYS.contains(name)) {
        throw new IllegalArgumentException(
            "'" + name + "' is not a model parameter; use the builder's " + name + "(...) method");
      }
      params.put(name, checkedValue(name, value));
      return this;
    }

    /**
     * Sets {@code aspect_ratio} to the ratio, of those AnyCap's image models take ({@link
     * #ASPECT_RATIOS}), closest to {@code width:height}; for callers that think in pixels, such as
     * the Spring AI and LangChain4j adapters. Only the shape maps: the image's pixel size is the
     * model's (some models take a {@code resolution} parameter).
     *
     * @param width a width, positive
     * @param height a height, positive
     * @return this builder
     * @throws IllegalArgumentException when either is not positive
     */
    public Builder aspectRatioFor(int width, int height) {
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException("width and height must be positive, got " + width + "x" + height);
      }
      double wanted = Math.log((double) width / height);
      String best = ASPECT_RATIOS.get(0);
      double bestDistance = Double.MAX_VALUE;
      for (String ratio : ASPECT_RATIOS) {
        String[] wh = ratio.split(":");
        double distance = Math.abs(Math.log(Double.parseDouble(wh[0]) / Double.parseDouble(wh[1])) - wanted);
        if (distance < bestDistance) {
          best = ratio;
          bestDistance = distance;
        }
      }
      return param("aspect_ratio", best);
    }

    /**
     * Sets several parameters, as {@link #param(String, Object)} would one by one.
     *
     * @param params name to value
     * @return this builder
     * @throws IllegalArgumentException as {@link #param(String, Object)} does
     */
    public Builder params(Map<String, ?> params) {
      Objects.requireNonNull(params, "params").forEach(this::param);
      return this;
    }

    /**
     * Removes a parameter, if set.
     *
     * @param name the parameter's name
     * @return this builder
     */
    public Builder removeParam(String name) {
      params.remove(name);
      return this;
    }

    /**
     * Adds a reference image (sent in {@code images}), for image-to-image and edits.
     *
     * @param image a local file, a URL or an {@code anycap://upload/} reference
     * @return this builder
     */
    public Builder image(ImageRef image) {
      images.add(Objects.requireNonNull(image, "image"));
      return this;
    }

    /**
     * Adds several reference images, as {@link #image(ImageRef)} would one by one.
     *
     * @param images the references
     * @return this builder
     */
    public Builder images(List<? extends ImageRef> images) {
      Objects.requireNonNull(images, "images").forEach(this::image);
      return this;
    }

    /**
     * Adds a local reference image, uploaded when the request is sent.
     *
     * @param file the file
     * @return this builder
     */
    public Builder referenceImage(Path file) {
      return image(ImageRef.file(file));
    }

    /**
     * Adds a reference image by URI: an http(s) URL, an {@code anycap://upload/} reference or a
     * {@code file:} URI (a local file).
     *
     * @param url the URI
     * @return this builder
     * @throws IllegalArgumentException for any other scheme
     */
    public Builder referenceImage(URI url) {
      return image(ImageRef.of(Objects.requireNonNull(url, "url")));
    }

    /**
     * Adds several reference images, as {@link #referenceImage(URI)} would one by one.
     *
     * @param urls http(s) URLs, {@code anycap://upload/} references or {@code file:} URIs
     * @return this builder
     * @throws IllegalArgumentException for any other scheme
     */
    public Builder referenceImages(List<URI> urls) {
      Objects.requireNonNull(urls, "urls").forEach(this::referenceImage);
      return this;
    }

    /**
     * Builds the request; the builder can be reused.
     *
     * @return a new, immutable request
     * @throws IllegalStateException naming the first missing field ({@code model}, {@code prompt})
     */
    public ImageRequest build() {
      if (model == null) {
        throw new IllegalStateException("ImageRequest needs a model");
      }
      if (prompt == null || prompt.isBlank()) {
        throw new IllegalStateException("ImageRequest needs a non-blank prompt");
      }
      return new ImageRequest(this);
    }

    static Object checkedValue(String name, Object value) {
      Objects.requireNonNull(value, () -> "value of parameter '" + name + "'");
      if (scalar(value)) {
        return value;
      }
      if (value instanceof List<?> list) {
        for (Object item : list) {
          if (!scalar(item)) {
            throw new IllegalArgumentException(
                "parameter '" + name
                    + "' holds a list item that is not a string, number, boolean or ImageRef");
          }
        }
        return List.copyOf(list);
      }
      throw new IllegalArgumentException(
          "parameter '"
              + name
              + "' must be a string, number, boolean, ImageRef or list, not "
              + value.getClass().getSimpleName());
    }

    private static boolean scalar(Object v) {
      return v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof ImageRef;
    }
  }
}

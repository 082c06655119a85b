package ai.anycap.client;

import java.net.URI;
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
 * prompt}, as the AnyCap protocol wants; their values may be strings, numbers, booleans or lists
 * of those.
 */
public final class ImageRequest {

  /** Body keys the request sets itself; a parameter may not use them. */
  static final Set<String> RESERVED_KEYS = Set.of("model", "prompt", "mode", "images");

  private final String model;
  private final String prompt;
  private final Mode mode;
  private final Map<String, Object> params;
  private final List<URI> referenceImages;

  private ImageRequest(Builder b) {
    this.model = b.model;
    this.prompt = b.prompt;
    this.mode = b.mode;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    this.referenceImages = List.copyOf(b.referenceImages);
  }

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
    b.referenceImages.addAll(referenceImages);
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
   * Reference image URLs for image-to-image, sent as {@code images}.
   *
   * @return an unmodifiable list, in the order added; empty for text-to-image
   */
  public List<URI> referenceImages() {
    return referenceImages;
  }

  /**
   * The JSON body as the AnyCap API expects it: {@code model}, {@code prompt}, {@code mode}, the
   * parameters flattened, and {@code images} as one string or an array.
   *
   * @return a new, modifiable map in the order the fields are sent
   */
  public Map<String, Object> toBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    body.put("prompt", prompt);
    if (mode != null) {
      body.put("mode", mode.value());
    }
    body.putAll(params);
    if (referenceImages.size() == 1) {
      body.put("images", referenceImages.get(0).toString());
    } else if (!referenceImages.isEmpty()) {
      List<String> urls = new ArrayList<>();
      referenceImages.forEach(u -> urls.add(u.toString()));
      body.put("images", urls);
    }
    return body;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageRequest r
        && model.equals(r.model)
        && prompt.equals(r.prompt)
        && Objects.equals(mode, r.mode)
        && params.equals(r.params)
        && referenceImages.equals(r.referenceImages);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, prompt, mode, params, referenceImages);
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
    private final List<URI> referenceImages = new ArrayList<>();

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
     * booleans or lists of those. Setting a name again replaces its value. Default: no
     * parameters, the model's own defaults.
     *
     * @param name the parameter's name, as the model's schema spells it
     * @param value a string, number, boolean, or a list of those (copied)
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
     * Adds a reference image, for image-to-image. Default: none.
     *
     * @param url an http or https URL the server can fetch
     * @return this builder
     * @throws IllegalArgumentException for another scheme
     */
    public Builder referenceImage(URI url) {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new IllegalArgumentException(
            "reference image must be an http(s) URL, got scheme '" + scheme + "'");
      }
      referenceImages.add(url);
      return this;
    }

    /**
     * Adds several reference images, as {@link #referenceImage(URI)} would one by one.
     *
     * @param urls http or https URLs
     * @return this builder
     * @throws IllegalArgumentException for another scheme
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

    private static Object checkedValue(String name, Object value) {
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        return value;
      }
      if (value instanceof List<?> list) {
        for (Object item : list) {
          if (!(item instanceof String || item instanceof Number || item instanceof Boolean)) {
            throw new IllegalArgumentException(
                "parameter '" + name + "' holds a list item that is not a string, number or boolean");
          }
        }
        return List.copyOf(list);
      }
      throw new IllegalArgumentException(
          "parameter '"
              + name
              + "' must be a string, number, boolean or list, not "
              + value.getClass().getSimpleName());
    }
  }
}

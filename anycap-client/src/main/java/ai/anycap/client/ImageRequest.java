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

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.prompt = prompt;
    b.mode = mode;
    b.params.putAll(params);
    b.referenceImages.addAll(referenceImages);
    return b;
  }

  /** The model id. */
  public String model() {
    return model;
  }

  public String prompt() {
    return prompt;
  }

  /** The mode, when set; the server infers text-to-image otherwise. */
  public Optional<Mode> mode() {
    return Optional.ofNullable(mode);
  }

  /** Model parameters in insertion order. */
  public Map<String, Object> params() {
    return params;
  }

  /** Reference image URLs for image-to-image, sent as {@code images}. */
  public List<URI> referenceImages() {
    return referenceImages;
  }

  /**
   * The JSON body as the AnyCap API expects it: {@code model}, {@code prompt}, {@code mode}, the
   * parameters flattened, and {@code images} as one string or an array.
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

    public Builder model(String model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    public Builder model(Model model) {
      return model(Objects.requireNonNull(model, "model").id());
    }

    public Builder prompt(String prompt) {
      this.prompt = Objects.requireNonNull(prompt, "prompt");
      return this;
    }

    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Sets one model parameter, such as {@code aspect_ratio}. Values may be strings, numbers,
     * booleans or lists of those.
     *
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

    /** Sets several parameters, as {@link #param(String, Object)} would one by one. */
    public Builder params(Map<String, ?> params) {
      Objects.requireNonNull(params, "params").forEach(this::param);
      return this;
    }

    public Builder removeParam(String name) {
      params.remove(name);
      return this;
    }

    /** Adds a reference image URL (http or https), for image-to-image. */
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

    public Builder referenceImages(List<URI> urls) {
      Objects.requireNonNull(urls, "urls").forEach(this::referenceImage);
      return this;
    }

    /**
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

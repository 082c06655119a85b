package ai.anycap.langchain4j;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRef;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.Model;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.model.image.ImageModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * AnyCap as a LangChain4j {@link ImageModel}: each call generates (or edits) through an {@link
 * AnyCapClient}.
 *
 * <pre>{@code
 * ImageModel images = AnyCapImageModel.builder()
 *     .client(AnyCapClient.fromEnv())
 *     .modelName("nano-banana-pro")
 *     .size("1792x1024")                 // aspect_ratio 16:9
 *     .build();
 * URI url = images.generate("a paper crane").content().url();
 * }</pre>
 *
 * <p>How LangChain4j's settings map: {@code modelName} is the AnyCap model id (default {@code
 * nano-banana-2}); {@code size} ({@code "WIDTHxHEIGHT"}) chooses the closest {@code aspect_ratio}
 * the models take ({@link ImageRequest#ASPECT_RATIOS}), the pixel size being the model's; {@code
 * generate(prompt, n)} is {@code n} generate requests, each one paid; {@code edit(image, prompt)}
 * is {@code POST /v1/image/edit} with the image by its URL. What does not map: an image given as
 * base64 data (give its URL, or use {@link AnyCapClient} with a file), an edit with a mask, and
 * LangChain4j's quality, style and user settings (AnyCap has none). Each response's metadata holds
 * {@code model}, {@code credits} and {@code requestId}. Failures are the client's unchecked {@code
 * AnyCapException}s. Thread-safe.
 */
public final class AnyCapImageModel implements ImageModel {

  private final AnyCapClient client;
  private final String modelName;
  private final int width;
  private final int height;

  private AnyCapImageModel(Builder b) {
    this.client = b.client;
    this.modelName = b.modelName;
    this.width = b.width;
    this.height = b.height;
  }

  /**
   * Starts configuring a model; the client is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Generates one image: one paid request.
   *
   * @param prompt what to draw
   * @return the image, by its pre-signed URL
   */
  @Override
  public Response<Image> generate(String prompt) {
    ImageGeneration g = client.images().generate(request(prompt).build());
    return Response.from(image(g, 0), null, null, metadata(List.of(g)));
  }

  /**
   * Generates {@code n} images: {@code n} paid requests, sent at once.
   *
   * @param prompt what to draw
   * @param n how many images, at least 1
   * @return the images, by their pre-signed URLs
   */
  @Override
  public Response<List<Image>> generate(String prompt, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, got " + n);
    }
    ImageRequest request = request(prompt).build();
    List<CompletableFuture<ImageGeneration>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(client.images().generateAsync(request));
    }
    List<ImageGeneration> done = calls.stream().map(CompletableFuture::join).toList();
    List<Image> images = new ArrayList<>();
    for (ImageGeneration g : done) {
      for (int i = 0; i < g.outputs().size(); i++) {
        images.add(image(g, i));
      }
    }
    return Response.from(images, null, null, metadata(done));
  }

  /**
   * Edits an image as the prompt says: one paid request.
   *
   * @param image the image to edit, by its URL
   * @param prompt what to change
   * @return the edited image
   * @throws UnsupportedOperationException when the image has no URL (base64 data does not map)
   */
  @Override
  public Response<Image> edit(Image image, String prompt) {
    Objects.requireNonNull(image, "image");
    if (image.url() == null) {
      throw new UnsupportedOperationException(
          "AnyCap edits an image given by its URL; this one has only base64 data (use AnyCapClient with a file)");
    }
    ImageGeneration g = client.images().edit(request(prompt).image(ImageRef.of(image.url())).build());
    return Response.from(image(g, 0), null, null, metadata(List.of(g)));
  }

  /**
   * Not supported: AnyCap takes no mask.
   *
   * @param image the image
   * @param mask the mask
   * @param prompt what to change
   * @return never
   * @throws UnsupportedOperationException always
   */
  @Override
  public Response<Image> edit(Image image, Image mask, String prompt) {
    throw new UnsupportedOperationException("AnyCap edits take no mask: call edit(image, prompt)");
  }

  private ImageRequest.Builder request(String prompt) {
    ImageRequest.Builder b = ImageRequest.builder().model(modelName).prompt(Objects.requireNonNull(prompt, "prompt"));
    return width == 0 ? b : b.aspectRatioFor(width, height);
  }

  private static Image image(ImageGeneration g, int index) {
    return Image.builder().url(g.outputs().get(index)).build();
  }

  private static Map<String, Object> metadata(List<ImageGeneration> gs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", gs.get(0).model());
    m.put("credits", gs.stream().map(ImageGeneration::creditCost).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add));
    gs.get(0).requestId().ifPresent(id -> m.put("requestId", id));
    return m;
  }

  /** Configures an {@link AnyCapImageModel}; not thread-safe. */
  public static final class Builder {
    private AnyCapClient client;
    private String modelName = Model.NANO_BANANA_2.id();
    private int width;
    private int height;

    private Builder() {}

    /**
     * The client to generate with. Required.
     *
     * @param client such as {@code AnyCapClient.fromEnv()}
     * @return this builder
     */
    public Builder client(AnyCapClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The AnyCap model; default {@code nano-banana-2}.
     *
     * @param modelName a model id, such as {@code seedream-5}
     * @return this builder
     */
    public Builder modelName(String modelName) {
      this.modelName = Objects.requireNonNull(modelName, "modelName");
      return this;
    }

    /**
     * The image's shape, as {@code WIDTHxHEIGHT}: the closest {@code aspect_ratio} the models take
     * is sent. Default: none sent, the model's own.
     *
     * @param size such as {@code 1024x1024} or {@code 1792x1024}
     * @return this builder
     * @throws IllegalArgumentException when it is not two positive numbers around an {@code x}
     */
    public Builder size(String size) {
      Objects.requireNonNull(size, "size");
      String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
      try {
        if (wh.length != 2) {
          throw new NumberFormatException();
        }
        int w = Integer.parseInt(wh[0].strip());
        int h = Integer.parseInt(wh[1].strip());
        if (w <= 0 || h <= 0) {
          throw new NumberFormatException();
        }
        this.width = w;
        this.height = h;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("size must be WIDTHxHEIGHT, such as 1024x1024; got '" + size + "'");
      }
      return this;
    }

    /**
     * Builds the model.
     *
     * @return the model
     * @throws IllegalStateException when no client is set
     */
    public AnyCapImageModel build() {
      if (client == null) {
        throw new IllegalStateException("AnyCapImageModel needs a client: call client(AnyCapClient.fromEnv())");
      }
      return new AnyCapImageModel(this);
    }
  }
}

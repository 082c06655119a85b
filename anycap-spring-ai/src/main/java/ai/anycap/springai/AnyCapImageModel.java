package ai.anycap.springai;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.springframework.ai.image.Image;
import org.springframework.ai.image.ImageMessage;
import org.springframework.ai.image.ImageModel;
import org.springframework.ai.image.ImageOptions;
import org.springframework.ai.image.ImagePrompt;
import org.springframework.ai.image.ImageResponse;
import org.springframework.ai.image.ImageResponseMetadata;

/**
 * AnyCap as a Spring AI {@link ImageModel}: each call generates through an {@link AnyCapClient}.
 *
 * <pre>{@code
 * ImageModel images = AnyCapImageModel.builder().client(AnyCapClient.fromEnv()).build();
 * ImageResponse r = images.call(new ImagePrompt("a paper crane",
 *     ImageOptionsBuilder.builder().model("nano-banana-pro").width(1792).height(1024).build()));
 * String url = r.getResult().getOutput().getUrl();
 * }</pre>
 *
 * <p>How Spring AI's options map:
 *
 * <ul>
 *   <li>the instructions' texts are the prompt, joined by a blank line; their weights and media are
 *       not sent;
 *   <li>{@code model} is the AnyCap model id (default {@code nano-banana-2}, or the builder's);
 *   <li>{@code width} and {@code height} choose the closest {@code aspect_ratio} the models take
 *       ({@link ImageRequest#ASPECT_RATIOS}); the pixel size is the model's. One of them alone maps
 *       to nothing;
 *   <li>{@code n} images are {@code n} generate requests, each one paid;
 *   <li>{@code responseFormat} {@code url} (the default) answers the pre-signed image URL;
 *       {@code b64_json} downloads the image and answers it in base64;
 *   <li>{@code style} does not map (AnyCap has no such parameter) and is not sent: say it in the
 *       prompt. For other parameters ({@code resolution}, a mode, reference images) use {@link
 *       AnyCapClient} directly.
 * </ul>
 *
 * <p>Failures are the client's unchecked {@code AnyCapException}s. Thread-safe.
 */
public final class AnyCapImageModel implements ImageModel {

  private final AnyCapClient client;
  private final String defaultModel;

  private AnyCapImageModel(Builder b) {
    this.client = b.client;
    this.defaultModel = b.defaultModel;
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
   * Generates the images the prompt asks for.
   *
   * @param prompt the instructions and options
   * @return one generation per image, each with its URL or base64 bytes
   * @throws IllegalArgumentException when the prompt has no text, or asks for a response format
   *     other than {@code url} and {@code b64_json}
   */
  @Override
  public ImageResponse call(ImagePrompt prompt) {
    Objects.requireNonNull(prompt, "prompt");
    ImageOptions options = prompt.getOptions();
    String text = prompt.getInstructions().stream().map(ImageMessage::getText)
        .filter(t -> t != null && !t.isBlank()).collect(Collectors.joining("\n\n"));
    if (text.isBlank()) {
      throw new IllegalArgumentException("the image prompt has no text");
    }
    ImageRequest.Builder request = ImageRequest.builder().prompt(text)
        .model(options != null && options.getModel() != null ? options.getModel() : defaultModel);
    int n = 1;
    boolean base64 = false;
    if (options != null) {
      if (options.getWidth() != null && options.getHeight() != null) {
        request.aspectRatioFor(options.getWidth(), options.getHeight());
      }
      n = options.getN() != null ? options.getN() : 1;
      base64 = base64(options.getResponseFormat());
    }
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, got " + n);
    }
    ImageRequest built = request.build();
    List<CompletableFuture<ImageGeneration>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(client.images().generateAsync(built));
    }
    List<org.springframework.ai.image.ImageGeneration> results = new ArrayList<>();
    for (CompletableFuture<ImageGeneration> call : calls) {
      ImageGeneration g = call.join();
      for (java.net.URI url : g.outputs()) {
        results.add(new org.springframework.ai.image.ImageGeneration(
            base64 ? new Image(null, download(url)) : new Image(url.toString(), null)));
      }
    }
    return new ImageResponse(results, new ImageResponseMetadata(System.currentTimeMillis()));
  }

  private static boolean base64(String format) {
    if (format == null || format.equals("url")) {
      return false;
    }
    if (format.equals("b64_json")) {
      return true;
    }
    throw new IllegalArgumentException("responseFormat must be url or b64_json, got " + format);
  }

  /** The image's bytes in base64, through a temporary file the client downloads into and checks. */
  private String download(java.net.URI url) {
    try {
      Path dir = Files.createTempDirectory("anycap-image");
      Path file = dir.resolve("image");
      try {
        client.images().download(url, file);
        return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the downloaded image in a temporary file: " + e.getMessage(), e);
    }
  }

  /** Configures an {@link AnyCapImageModel}; not thread-safe. */
  public static final class Builder {
    private AnyCapClient client;
    private String defaultModel = Model.NANO_BANANA_2.id();

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
     * The model when the options name none; default {@code nano-banana-2}.
     *
     * @param model an AnyCap model id
     * @return this builder
     */
    public Builder defaultModel(String model) {
      this.defaultModel = Objects.requireNonNull(model, "model");
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

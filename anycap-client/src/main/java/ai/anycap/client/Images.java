package ai.anycap.client;

import ai.anycap.client.internal.ApiTransport;
import ai.anycap.client.internal.ArtifactDownloader;
import ai.anycap.client.internal.Futures;
import ai.anycap.client.internal.Responses;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The image API: generate, download, and discover models and their schemas. Obtained from {@link
 * AnyCapClient#images()}; thread-safe.
 *
 * <p>Each call makes exactly one attempt: a failure surfaces as an {@link AnyCapException} whose
 * {@link AnyCapException#retryable()} says whether trying again makes sense. Async variants never
 * block a thread while waiting for the network.
 */
public final class Images {

  private final ApiTransport transport;
  private final ArtifactDownloader downloader;
  private final Duration generateTimeout;
  private final Duration requestTimeout;

  Images(
      ApiTransport transport,
      ArtifactDownloader downloader,
      Duration generateTimeout,
      Duration requestTimeout) {
    this.transport = transport;
    this.downloader = downloader;
    this.generateTimeout = generateTimeout;
    this.requestTimeout = requestTimeout;
  }

  /** Generates an image and waits for the answer (5 to 30 seconds is usual). */
  public ImageGeneration generate(ImageRequest request) {
    return Futures.await(generateAsync(request, RequestOptions.none()));
  }

  public ImageGeneration generate(ImageRequest request, RequestOptions options) {
    return Futures.await(generateAsync(request, options));
  }

  /** Sends {@code POST /v1/image/generate}; the future fails with an {@link AnyCapException}. */
  public CompletableFuture<ImageGeneration> generateAsync(ImageRequest request) {
    return generateAsync(request, RequestOptions.none());
  }

  public CompletableFuture<ImageGeneration> generateAsync(
      ImageRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    String path = "v1/image/generate";
    return transport
        .send("POST", path, request.toBody(), generateTimeout, options)
        .thenApply(r -> Responses.generation(r, "POST /" + path, request.model()));
  }

  /**
   * Downloads an image to {@code target}, atomically: the file appears complete or not at all,
   * parent directories are created, an existing file is replaced. The body must be a PNG, JPEG or
   * WebP image no larger than the client's cap. The API key is never sent.
   *
   * @return {@code target}, as an absolute path
   * @throws DownloadException when the download fails, saying why
   */
  public Path download(URI url, Path target) {
    return Futures.await(downloadAsync(url, target));
  }

  public CompletableFuture<Path> downloadAsync(URI url, Path target) {
    return downloadAsync(url, target, RequestOptions.none());
  }

  /** As {@link #downloadAsync(URI, Path)}, with a per-call timeout from {@code options}. */
  public CompletableFuture<Path> downloadAsync(URI url, Path target, RequestOptions options) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(options, "options");
    return downloader.download(url, target, options.timeout().orElse(null));
  }

  /** The image models on offer ({@code GET /v1/image/models}). */
  public List<ModelInfo> models() {
    return Futures.await(modelsAsync());
  }

  public CompletableFuture<List<ModelInfo>> modelsAsync() {
    String path = "v1/image/models";
    return transport
        .send("GET", path, null, requestTimeout, RequestOptions.none())
        .thenApply(r -> Responses.models(r, "GET /" + path));
  }

  /** One model with its operations and modes; {@link NotFoundException} for an unknown id. */
  public ModelInfo model(String id) {
    return Futures.await(modelAsync(id));
  }

  public CompletableFuture<ModelInfo> modelAsync(String id) {
    String path = "v1/image/models/" + segment(id);
    return transport
        .send("GET", path, null, requestTimeout, RequestOptions.none())
        .thenApply(r -> Responses.model(r, "GET /" + path));
  }

  /**
   * The parameters a model takes for an operation (usually {@code generate}) and mode; pass a null
   * mode to take the server's default.
   */
  public ModelSchema schema(String model, String operation, Mode mode) {
    return Futures.await(schemaAsync(model, operation, mode));
  }

  public CompletableFuture<ModelSchema> schemaAsync(String model, String operation, Mode mode) {
    Objects.requireNonNull(operation, "operation");
    String path =
        "v1/image/models/" + segment(model) + "/schema?operation=" + query(operation)
            + (mode == null ? "" : "&mode=" + query(mode.value()));
    return transport
        .send("GET", path, null, requestTimeout, RequestOptions.none())
        .thenApply(r -> Responses.schema(r, "GET /" + path, model, operation, mode));
  }

  private static String segment(String id) {
    Objects.requireNonNull(id, "model id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("model id must not be blank");
    }
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String query(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}

package ai.anycap.client;

import ai.anycap.client.internal.ApiTransport;
import ai.anycap.client.internal.ArtifactDownloader;
import ai.anycap.client.internal.Futures;
import ai.anycap.client.internal.ReferenceResolver;
import ai.anycap.client.internal.ReferenceUploader;
import ai.anycap.client.internal.Responses;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The image API: generate, edit, upscale, read (describe or check images), download, upload
 * reference files, and discover models and their schemas. Obtained from {@link
 * AnyCapClient#images()}; thread-safe.
 *
 * <p>Each call makes exactly one attempt: a failure surfaces as an {@link AnyCapException} whose
 * {@link AnyCapException#retryable()} says whether trying again makes sense. Async variants never
 * block a thread while waiting for the network.
 *
 * <p>Local reference files ({@link ImageRef#file(Path)}) in any request are uploaded first, as
 * the CLI does: they are checked (exist, readable, an image by their magic bytes, under {@link
 * AnyCapClient.Builder#maxUploadBytes(long)}) before anything is sent, then presigned, {@code PUT}
 * without the API key (skipped when the server answers {@code reused}), and their {@code
 * object_url} goes into the request. Uploads are cached per client by SHA-256: the same bytes are
 * uploaded once however many requests name them, at once or later. When a call is refused (400
 * or 422) with an error that names a cached upload's object URL, or the {@code images} field, the
 * client uploads those files again and sends the call once more; the refused call cost nothing.
 */
public final class Images {

  private final ApiTransport transport;
  private final ArtifactDownloader downloader;
  private final ReferenceUploader uploader;
  private final ReferenceResolver references;
  private final Function<String, Duration> generateTimeout;
  private final Duration requestTimeout;

  Images(
      ApiTransport transport,
      ArtifactDownloader downloader,
      ReferenceUploader uploader,
      Function<String, Duration> generateTimeout,
      Duration requestTimeout) {
    this.transport = transport;
    this.downloader = downloader;
    this.uploader = uploader;
    this.references = new ReferenceResolver(uploader);
    this.generateTimeout = generateTimeout;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Generates an image and waits for the answer (5 to 30 seconds is usual). Each call is one
   * paid request.
   *
   * @param request what to generate
   * @return the generation: output URLs, model, credits charged
   * @throws AnyCapException the failure {@link #generateAsync(ImageRequest, RequestOptions)}
   *     describes, thrown as itself
   */
  public ImageGeneration generate(ImageRequest request) {
    return Futures.await(generateAsync(request, RequestOptions.none()));
  }

  /**
   * As {@link #generate(ImageRequest)}, with a trace id or timeout of this call's own.
   *
   * @param request what to generate
   * @param options this call's trace id and timeout
   * @return the generation
   * @throws AnyCapException the failure {@link #generateAsync(ImageRequest, RequestOptions)}
   *     describes, thrown as itself
   */
  public ImageGeneration generate(ImageRequest request, RequestOptions options) {
    return Futures.await(generateAsync(request, options));
  }

  /**
   * Sends {@code POST /v1/image/generate} without blocking a thread.
   *
   * @param request what to generate
   * @return completes with the generation, or fails as {@link #generateAsync(ImageRequest,
   *     RequestOptions)} describes
   */
  public CompletableFuture<ImageGeneration> generateAsync(ImageRequest request) {
    return generateAsync(request, RequestOptions.none());
  }

  /**
   * Sends {@code POST /v1/image/generate} without blocking a thread, with a trace id or timeout
   * of this call's own. Cancelling the future only stops waiting for the answer: a request that
   * was sent may still be generated, and billed, by the server.
   *
   * @param request what to generate
   * @param options this call's trace id and timeout
   * @return completes with the generation, or exceptionally with an {@link
   *     AnyCapServiceException} subclass for an error status (see {@link
   *     AnyCapException#retryable()}), an {@link AnyCapIoException} when the call failed in
   *     transport or timed out (see {@link AnyCapIoException#mayHaveReachedServer()}), or an
   *     {@link UnexpectedResponseException} for a 2xx body it cannot read
   */
  public CompletableFuture<ImageGeneration> generateAsync(
      ImageRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    return imageCall("v1/image/generate", request.wireBody(), options, request.model());
  }

  /**
   * Edits reference images as the prompt says ({@code POST /v1/image/edit}) and waits for the
   * answer.
   *
   * @param request model, prompt, at least one reference image, parameters
   * @return the edited image
   * @throws IllegalArgumentException when the request has no reference image
   * @throws AnyCapException when the call fails; {@link UploadException} for a local file
   */
  public ImageGeneration edit(ImageRequest request) {
    return Futures.await(editAsync(request, RequestOptions.none()));
  }

  /**
   * As {@link #edit(ImageRequest)}, without blocking.
   *
   * @param request model, prompt, at least one reference image, parameters
   * @return the edited image, or a failed future
   */
  public CompletableFuture<ImageGeneration> editAsync(ImageRequest request) {
    return editAsync(request, RequestOptions.none());
  }

  /**
   * Sends {@code POST /v1/image/edit} with {@code {"model","prompt","images":[url,..],<params>}};
   * its parameters are those of {@code schema(model, "edit", mode)}.
   *
   * @param request model, prompt, at least one reference image, parameters
   * @param options trace id and timeout for this call
   * @return the edited image, or a failed future
   * @throws IllegalArgumentException when the request has no reference image
   */
  public CompletableFuture<ImageGeneration> editAsync(ImageRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    if (request.images().isEmpty()) {
      throw new IllegalArgumentException("an edit needs at least one reference image");
    }
    return imageCall("v1/image/edit", request.wireBody(), options, request.model());
  }

  /**
   * Upscales an image ({@code POST /v1/image/upscale}) and waits for the answer.
   *
   * @param request the image and the target resolution
   * @return the upscaled image
   * @throws AnyCapException when the call fails; {@link UploadException} for a local file
   */
  public ImageGeneration upscale(UpscaleRequest request) {
    return Futures.await(upscaleAsync(request, RequestOptions.none()));
  }

  /**
   * As {@link #upscale(UpscaleRequest)}, without blocking.
   *
   * @param request the image and the target resolution
   * @return the upscaled image, or a failed future
   */
  public CompletableFuture<ImageGeneration> upscaleAsync(UpscaleRequest request) {
    return upscaleAsync(request, RequestOptions.none());
  }

  /**
   * Sends {@code POST /v1/image/upscale} with {@code {"images":[url],"resolution":..}}; no model
   * is needed. The answer is shaped as generate's.
   *
   * @param request the image and the target resolution
   * @param options trace id and timeout for this call
   * @return the upscaled image, or a failed future
   */
  public CompletableFuture<ImageGeneration> upscaleAsync(UpscaleRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    return imageCall("v1/image/upscale", request.wireBody(), options, "upscale");
  }

  /**
   * Describes or checks images as the instruction says ({@code POST
   * /v1/capabilities/image/read}), billed in credits, and waits for the answer.
   *
   * @param request the images and the instruction
   * @return the server's text and the credits it cost
   * @throws AnyCapException when the call fails; {@link UploadException} for a local file
   */
  public ImageReading read(ImageReadRequest request) {
    return Futures.await(readAsync(request, RequestOptions.none()));
  }

  /**
   * As {@link #read(ImageReadRequest)}, without blocking.
   *
   * @param request the images and the instruction
   * @return the server's text, or a failed future
   */
  public CompletableFuture<ImageReading> readAsync(ImageReadRequest request) {
    return readAsync(request, RequestOptions.none());
  }

  /**
   * Sends {@code POST /v1/capabilities/image/read} with {@code
   * {"images":[{"url":..},..],"instruction":..}}; the answer is {@code data.content} and {@code
   * data.credit_cost}.
   *
   * @param request the images and the instruction
   * @param options trace id and timeout for this call
   * @return the server's text, or a failed future
   */
  public CompletableFuture<ImageReading> readAsync(ImageReadRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(options, "options");
    String path = "v1/capabilities/image/read";
    return references.send(request.wireBody(), options, body -> transport
        .send("POST", path, body, generateTimeout.apply(null), options)
        .thenApply(r -> Responses.reading(r, "POST /" + path)));
  }

  /**
   * Uploads a local image so that requests can name it by its {@code object_url}, and waits.
   * Requests that hold the file as an {@link ImageRef} upload it themselves; this is for
   * uploading ahead, or for learning the object URL.
   *
   * @param file a PNG, JPEG or WebP file no larger than the client's upload cap
   * @return the object URL, SHA-256, size and whether the server already had the bytes
   * @throws UploadException when the file is missing, unreadable, not an image, too large, or
   *     its bytes could not be sent
   * @throws AnyCapServiceException when the presign call fails
   */
  public UploadedImage upload(Path file) {
    return Futures.await(uploadAsync(file));
  }

  /**
   * As {@link #upload(Path)}, without blocking. Callers asking for the same bytes at once share
   * one presign and one {@code PUT}; later callers get the cached answer.
   *
   * @param file a PNG, JPEG or WebP file no larger than the client's upload cap
   * @return the upload, or a failed future
   */
  public CompletableFuture<UploadedImage> uploadAsync(Path file) {
    Objects.requireNonNull(file, "file");
    return uploader.upload(file, RequestOptions.none()).thenApply(ReferenceUploader.Upload::image);
  }

  /**
   * Checks a local reference file as an upload checks it before anything is sent: it exists, is
   * a readable regular file, is no larger than the client's upload cap, and starts with PNG, JPEG
   * or WebP magic bytes. Reads only its first bytes; sends nothing. For validating a batch before
   * it spends anything.
   *
   * @param file the file
   * @throws UploadException naming the file and what is wrong with it
   */
  public void checkReference(Path file) {
    uploader.check(Objects.requireNonNull(file, "file"));
  }

  /**
   * The SHA-256 of a local reference file's bytes, as its upload sends it: for recognising a
   * changed file (a batch's journal keys its jobs on it). The file is checked as {@link
   * #checkReference(Path)} checks it and read as a stream; the hash is remembered with those of
   * uploads, by the file's size and modification time, so a file is hashed once per client
   * however often it is asked for or uploaded. Sends nothing.
   *
   * @param file the file
   * @return 64 lowercase hex digits
   * @throws UploadException naming the file and what is wrong with it
   */
  public String referenceSha256(Path file) {
    return uploader.sha256(Objects.requireNonNull(file, "file"));
  }

  private CompletableFuture<ImageGeneration> imageCall(
      String path, Map<String, Object> wireBody, RequestOptions options, String model) {
    return references.send(wireBody, options, body -> transport
        .send("POST", path, body, generateTimeout.apply(model), options)
        .thenApply(r -> Responses.generation(r, "POST /" + path, model)));
  }

  /**
   * Downloads an image to {@code target}, atomically: the file appears complete or not at all,
   * parent directories are created, an existing file is replaced. The body must be a PNG, JPEG or
   * WebP image no larger than the client's cap. The API key is never sent.
   *
   * @param url an output URL of a generation (pre-signed; http or https)
   * @param target where the image goes
   * @return {@code target}, as an absolute path
   * @throws DownloadException when the download fails, saying why
   */
  public Path download(URI url, Path target) {
    return Futures.await(downloadAsync(url, target));
  }

  /**
   * As {@link #download(URI, Path)}, without blocking a thread.
   *
   * @param url an output URL of a generation
   * @param target where the image goes
   * @return completes with {@code target} as an absolute path, or exceptionally with a {@link
   *     DownloadException} whose {@link DownloadException#reason()} says why
   */
  public CompletableFuture<Path> downloadAsync(URI url, Path target) {
    return downloadAsync(url, target, RequestOptions.none());
  }

  /**
   * As {@link #downloadAsync(URI, Path)}, with a per-call timeout from {@code options}.
   *
   * @param url an output URL of a generation
   * @param target where the image goes
   * @param options this download's timeout, over the client's download timeout
   * @return completes with {@code target} as an absolute path, or exceptionally with a {@link
   *     DownloadException}
   */
  public CompletableFuture<Path> downloadAsync(URI url, Path target, RequestOptions options) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(options, "options");
    return downloader.download(url, target, options.timeout().orElse(null));
  }

  /**
   * The image models on offer ({@code GET /v1/image/models}); costs nothing.
   *
   * @return the models, as the server lists them
   * @throws AnyCapException when the call fails
   */
  public List<ModelInfo> models() {
    return Futures.await(modelsAsync());
  }

  /**
   * As {@link #models()}, without blocking a thread.
   *
   * @return completes with the models, or exceptionally with an {@link AnyCapException}
   */
  public CompletableFuture<List<ModelInfo>> modelsAsync() {
    String path = "v1/image/models";
    return transport
        .send("GET", path, null, requestTimeout, RequestOptions.none())
        .thenApply(r -> Responses.models(r, "GET /" + path));
  }

  /**
   * One model with its operations and modes ({@code GET /v1/image/models/{id}}); costs nothing.
   *
   * @param id a model id, such as {@code nano-banana-2}
   * @return the model
   * @throws NotFoundException for an unknown id
   * @throws AnyCapException when the call fails otherwise
   */
  public ModelInfo model(String id) {
    return Futures.await(modelAsync(id));
  }

  /**
   * As {@link #model(String)}, without blocking a thread.
   *
   * @param id a model id, not blank
   * @return completes with the model, or exceptionally with a {@link NotFoundException} for an
   *     unknown id or another {@link AnyCapException}
   */
  public CompletableFuture<ModelInfo> modelAsync(String id) {
    String path = "v1/image/models/" + segment(id);
    return transport
        .send("GET", path, null, requestTimeout, RequestOptions.none())
        .thenApply(r -> Responses.model(r, "GET /" + path));
  }

  /**
   * The parameters a model takes for an operation ({@code generate}, {@code edit}) and mode; pass
   * a null mode to take the server's default. Both schema forms are read: a flat {@code
   * model_params} map and a JSON-schema object; {@link ParameterSpec#takesFiles()} marks the
   * {@code file-or-url} parameters. Costs nothing; {@link ModelSchema#check} then finds what is
   * wrong with a request before it is paid for.
   *
   * @param model a model id
   * @param operation such as {@code generate}
   * @param mode the mode, or null for the server's default
   * @return the schema
   * @throws AnyCapException when the call fails ({@link NotFoundException} for an unknown model)
   */
  public ModelSchema schema(String model, String operation, Mode mode) {
    return Futures.await(schemaAsync(model, operation, mode));
  }

  /**
   * As {@link #schema(String, String, Mode)}, without blocking a thread.
   *
   * @param model a model id
   * @param operation such as {@code generate}
   * @param mode the mode, or null for the server's default
   * @return completes with the schema, or exceptionally with an {@link AnyCapException}
   */
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

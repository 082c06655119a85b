package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageGeneration;
import ai.anycap.client.ImageOperation;
import ai.anycap.client.ImageRef;
import ai.anycap.client.ImageRequest;
import ai.anycap.client.Images;
import ai.anycap.client.RequestOptions;
import ai.anycap.client.UpscaleRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The one paid call a job makes: a generate or an edit (an {@link ImageRequest}), or an upscale
 * (an {@link UpscaleRequest}). Everything the pipeline does with a job's request (price it, send
 * it, fingerprint it, check its files) goes through here, so an operation is handled in one place.
 */
public sealed interface JobCall permits JobCall.Image, JobCall.Upscale {

  /** The model an upscale is priced and reported under: it names none. */
  String UPSCALE_MODEL = "upscale";

  ImageOperation operation();

  /** The model, for prices, the budget and reports; {@value #UPSCALE_MODEL} for an upscale. */
  String model();

  /** The reference images, in order. */
  List<ImageRef> references();

  /** Sends the call; local references are uploaded first (or taken from the client's cache). */
  CompletableFuture<ImageGeneration> send(Images images, RequestOptions options);

  /**
   * What the call asks for, to fingerprint: the body it sends, and its {@code operation} unless it
   * is a generate, with each reference written by {@code reference} (its URI, or a digest of a
   * local file's bytes). A generate's is {@link ImageRequest#toBody()} exactly, so that the
   * fingerprints of jobs without local files are those earlier versions recorded.
   */
  Map<String, Object> body(Function<ImageRef, String> reference);

  /** The distinct local files among the references. */
  default Set<Path> localFiles() {
    Set<Path> files = new LinkedHashSet<>();
    for (ImageRef ref : references()) {
      if (ref instanceof ImageRef.LocalFile f) {
        files.add(f.path());
      }
    }
    return files;
  }

  /** A reference as the request body shows it. */
  static String asSent(ImageRef ref) {
    return ref.uri().toString();
  }

  /**
   * A generate or an edit.
   *
   * @param operation {@link ImageOperation#GENERATE} or {@link ImageOperation#EDIT}
   * @param request the request
   */
  record Image(ImageOperation operation, ImageRequest request) implements JobCall {

    @Override
    public String model() {
      return request.model();
    }

    @Override
    public List<ImageRef> references() {
      return request.images();
    }

    @Override
    public CompletableFuture<ImageGeneration> send(Images images, RequestOptions options) {
      return operation == ImageOperation.EDIT
          ? images.editAsync(request, options)
          : images.generateAsync(request, options);
    }

    @Override
    public Map<String, Object> body(Function<ImageRef, String> reference) {
      Map<String, Object> body = request.toBody();
      if (!request.images().isEmpty()) {
        body.put("images", request.images().stream().map(reference).toList());
      }
      if (operation != ImageOperation.GENERATE) {
        body.put("operation", operation.value());
      }
      return body;
    }
  }

  /**
   * An upscale.
   *
   * @param request the request
   */
  record Upscale(UpscaleRequest request) implements JobCall {

    @Override
    public ImageOperation operation() {
      return ImageOperation.UPSCALE;
    }

    @Override
    public String model() {
      return UPSCALE_MODEL;
    }

    @Override
    public List<ImageRef> references() {
      return request.images();
    }

    @Override
    public CompletableFuture<ImageGeneration> send(Images images, RequestOptions options) {
      return images.upscaleAsync(request, options);
    }

    @Override
    public Map<String, Object> body(Function<ImageRef, String> reference) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("operation", ImageOperation.UPSCALE.value());
      body.put("images", request.images().stream().map(reference).toList());
      request.resolution().ifPresent(r -> body.put("resolution", r));
      body.putAll(request.params());
      return body;
    }
  }
}

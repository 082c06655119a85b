package ai.anycap.client.internal;

import ai.anycap.client.RequestOptions;
import ai.anycap.client.UploadException;
import ai.anycap.client.UploadException.Reason;
import ai.anycap.client.UploadedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads local reference files as the CLI does: {@code POST /v1/capabilities/presign} with name,
 * content type, length and SHA-256; then, unless the server answers {@code reused: true}, a {@code
 * PUT} of the raw bytes to the {@code upload_url} with only {@code Content-Type} (no {@code
 * Authorization}: the upload URL is pre-signed, and the key goes to the API endpoint only). A 5xx
 * or a transport failure on the {@code PUT} is tried again, up to three attempts 250 ms and then
 * 400 ms apart; any other status fails at once. Uploads are cached per client by SHA-256.
 */
public final class ReferenceUploader {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.client");
  private static final String PRESIGN = "v1/capabilities/presign";
  static final List<Duration> PUT_RETRY_DELAYS = List.of(Duration.ofMillis(250), Duration.ofMillis(400));

  /** An upload, and whether it was already complete in the cache when asked for. */
  public record Upload(UploadedImage image, boolean fromCache) {}

  private final ApiTransport transport;
  private final HttpClient http;
  private final Executor io;
  private final long maxBytes;
  private final Duration requestTimeout;
  private final Duration uploadTimeout;
  private final Pause pause;
  private final UploadCache cache;

  public ReferenceUploader(
      ApiTransport transport,
      HttpClient http,
      Executor io,
      long maxBytes,
      int cacheSize,
      Duration requestTimeout,
      Duration uploadTimeout,
      Pause pause) {
    this.transport = transport;
    this.http = http;
    this.io = io;
    this.maxBytes = maxBytes;
    this.requestTimeout = requestTimeout;
    this.uploadTimeout = uploadTimeout;
    this.pause = pause;
    this.cache = new UploadCache(cacheSize);
  }

  /**
   * Uploads {@code file} unless this client has uploaded the same bytes before, or is uploading
   * them now (then the caller shares that upload). The file is read and checked on {@code io}.
   */
  public CompletableFuture<Upload> upload(Path file, RequestOptions options) {
    Path abs = file.toAbsolutePath().normalize();
    return CompletableFuture.supplyAsync(() -> LocalImage.stamp(abs, maxBytes), io)
        .thenCompose(stamp -> {
          String known = cache.sha(stamp);
          UploadedImage done = known == null ? null : cache.done(known);
          if (done != null) {
            return CompletableFuture.completedFuture(new Upload(done, true));
          }
          LocalImage image = LocalImage.read(abs, maxBytes, known);
          cache.remember(stamp, image.sha256());
          UploadedImage cached = cache.done(image.sha256());
          if (cached != null) {
            return CompletableFuture.completedFuture(new Upload(cached, true));
          }
          UploadCache.Claim claim = cache.claim(image.sha256());
          if (claim.created()) {
            start(image, claim.future(), options);
          }
          return claim.future().thenApply(u -> new Upload(u, false));
        });
  }

  /** Checks a local file as an upload would before sending anything; no network, no hashing. */
  public void check(Path file) {
    LocalImage.check(file.toAbsolutePath().normalize(), maxBytes);
  }

  /**
   * The SHA-256 of a file's bytes, remembered by its size and modification time with the hashes
   * uploads compute, so that the file is hashed once however often it is asked for or uploaded.
   */
  public String sha256(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    LocalImage.Stamp stamp = LocalImage.stamp(abs, maxBytes);
    String known = cache.sha(stamp);
    if (known != null) {
      return known;
    }
    String sha = LocalImage.digest(abs, maxBytes);
    cache.remember(stamp, sha);
    return sha;
  }

  /** Drops the cached upload of these bytes, so that the next use uploads them again. */
  public void forget(String sha256) {
    cache.forget(sha256);
  }

  private void start(LocalImage image, CompletableFuture<UploadedImage> result, RequestOptions options) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("filename", image.fileName());
    body.put("content_type", image.contentType());
    body.put("content_length", image.bytes().length);
    body.put("sha256", image.sha256());
    String context = "POST /" + PRESIGN;
    transport.send("POST", PRESIGN, body, requestTimeout, options)
        .thenApply(r -> Responses.presign(r, context))
        .thenCompose(p -> {
          UploadedImage uploaded = new UploadedImage(
              p.objectUrl(), image.sha256(), image.bytes().length, image.contentType(), p.reused());
          if (p.reused()) {
            log.debug("{} already on the server (reused), nothing to upload", image.file());
            return CompletableFuture.completedFuture(uploaded);
          }
          return put(image, p.uploadUrl(), 1).thenApply(v -> uploaded);
        })
        .whenComplete((uploaded, failure) -> {
          if (failure != null) {
            cache.remove(image.sha256(), result);
            result.completeExceptionally(ApiTransport.unwrap(failure));
          } else {
            result.complete(uploaded);
          }
        });
  }

  private CompletableFuture<Void> put(LocalImage image, URI uploadUrl, int attempt) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(uploadUrl)
          .timeout(uploadTimeout)
          .header("Content-Type", image.contentType())
          .PUT(HttpRequest.BodyPublishers.ofByteArray(image.bytes()))
          .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new UploadException(Reason.TRANSPORT, image.file(),
          redacted(uploadUrl), 0, "cannot upload " + image.file() + ": " + e.getMessage(), e));
    }
    long started = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, failure) -> {
          long millis = (System.nanoTime() - started) / 1_000_000;
          UploadException e = failure != null
              ? transportFailure(image.file(), uploadUrl, ApiTransport.unwrap(failure))
              : statusFailure(image.file(), uploadUrl, response);
          if (e == null) {
            log.debug("PUT {} ({} bytes of {}) {} in {} ms", redacted(uploadUrl), image.bytes().length,
                image.file(), response.statusCode(), millis);
            return CompletableFuture.<Void>completedFuture(null);
          }
          boolean again = attempt <= PUT_RETRY_DELAYS.size()
              && (failure != null || response.statusCode() >= 500);
          log.debug("PUT {} attempt {} failed in {} ms{}: {}", redacted(uploadUrl), attempt, millis,
              again ? ", trying again" : "", e.getMessage());
          if (!again) {
            return CompletableFuture.<Void>failedFuture(e);
          }
          return pause.after(PUT_RETRY_DELAYS.get(attempt - 1))
              .thenCompose(v -> put(image, uploadUrl, attempt + 1));
        })
        .thenCompose(f -> f);
  }

  private static UploadException statusFailure(Path file, URI url, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status >= 200 && status <= 299) {
      return null;
    }
    String body = new String(response.body(), 0, Math.min(response.body().length, 200), StandardCharsets.UTF_8)
        .replaceAll("\\s+", " ").strip();
    return new UploadException(Reason.HTTP_STATUS, file, redacted(url), status,
        "upload of " + file + " failed: " + redacted(url) + " answered " + status
            + (status == 403 ? " (the pre-signed upload URL may have expired)" : "")
            + (body.isEmpty() ? "" : ": " + body),
        null);
  }

  private static UploadException transportFailure(Path file, URI url, Throwable cause) {
    return new UploadException(Reason.TRANSPORT, file, redacted(url), 0,
        "upload of " + file + " to " + redacted(url) + " failed: "
            + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
        cause);
  }

  /** The URL without its query, which may hold a signature. */
  static URI redacted(URI url) {
    try {
      return new URI(url.getScheme(), url.getAuthority(), url.getPath(), null, null);
    } catch (java.net.URISyntaxException e) {
      return URI.create(url.getScheme() + "://" + url.getHost());
    }
  }
}

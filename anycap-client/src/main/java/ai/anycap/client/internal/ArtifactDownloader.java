package ai.anycap.client.internal;

import ai.anycap.client.DownloadException;
import ai.anycap.client.DownloadException.Reason;
import ai.anycap.client.ExchangeRequest;
import ai.anycap.client.ImageFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a generated image from its pre-signed artifact URL into a file, so that the target path
 * only ever holds a complete, verified image.
 *
 * <p>The body streams into a temporary file beside the target (same directory, so the final move
 * is atomic), with the byte count checked against the cap as it arrives and the magic bytes
 * checked on the first chunk; any failure deletes the temporary file. No {@code Authorization}
 * header is ever sent: artifact URLs carry their own signature, and the API key must not travel to
 * a storage host. Redirects are followed here, not by the {@link HttpClient}, so each hop's scheme
 * is checked.
 */
public final class ArtifactDownloader {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.client");
  private static final int MAX_REDIRECTS = 5;

  private final HttpClient http;
  private final long maxBytes;
  private final Duration timeout;
  private final Exchanges exchanges;

  public ArtifactDownloader(HttpClient http, long maxBytes, Duration timeout, Exchanges exchanges) {
    this.http = http;
    this.maxBytes = maxBytes;
    this.timeout = timeout;
    this.exchanges = exchanges;
  }

  public CompletableFuture<Path> download(URI url, Path target, Duration timeoutOverride) {
    Duration limit = timeoutOverride != null ? timeoutOverride : timeout;
    Download d = new Download(url, target.toAbsolutePath(), limit);
    d.start();
    return d.result;
  }

  /**
   * One download, across redirects. {@link #settled} makes success (the move into place) and
   * failure (timeout, error) mutually exclusive, so a timed-out download can never leave a file.
   */
  private final class Download {
    final URI original;
    final Path target;
    final Duration limit;
    final CompletableFuture<Path> result = new CompletableFuture<>();
    final CompletableFuture<Void> deadline = new CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicBoolean settled =
        new java.util.concurrent.atomic.AtomicBoolean();
    final long started = System.nanoTime();
    volatile FileSubscriber body;
    /** The status of the last answer (of the last hop), 0 before one arrives. */
    volatile int status;
    /** One exchange for the whole download, redirects included; ended before the result completes. */
    final Exchanges.Started exchange = exchanges.start(ExchangeRequest.DOWNLOAD, null);

    Download(URI url, Path target, Duration limit) {
      this.original = url;
      this.target = target;
      this.limit = limit;
    }

    void start() {
      deadline
          .orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete(
              (ok, timedOut) -> {
                if (timedOut != null) {
                  fail(
                      new DownloadException(
                          Reason.TRANSPORT, redacted(original), 0,
                          "download of " + redacted(original) + " timed out after " + limit,
                          timedOut));
                }
              });
      fetch(original, 0);
    }

    /** Claims the outcome; false when it was already decided. */
    boolean settle() {
      return settled.compareAndSet(false, true);
    }

    void succeed(Path path) {
      deadline.complete(null);
      log.debug("GET {} saved to {} in {} ms", redacted(original), path, millis());
      exchange.end(status, null, null);
      result.complete(path);
    }

    void fail(DownloadException e) {
      if (!settle()) {
        return;
      }
      deadline.complete(null);
      FileSubscriber current = body;
      if (current != null) {
        current.discard();
      }
      log.debug("GET {} failed after {} ms: {}", redacted(original), millis(), e.getMessage());
      exchange.end(status, null, e);
      result.completeExceptionally(e);
    }

    long millis() {
      return (System.nanoTime() - started) / 1_000_000;
    }

    void fetch(URI url, int hops) {
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
        fail(
            new DownloadException(
                Reason.UNSUPPORTED_URL, redacted(url), 0,
                "refusing to download " + redacted(url) + ": only http(s) URLs with a host are supported",
                null));
        return;
      }
      HttpRequest request;
      try {
        request =
            HttpRequest.newBuilder(url)
                .timeout(limit)
                .header("User-Agent", SdkVersion.userAgent())
                .header("Accept", "image/png, image/jpeg, image/webp, */*;q=0.1")
                .GET()
                .build();
      } catch (IllegalArgumentException e) {
        fail(new DownloadException(Reason.UNSUPPORTED_URL, redacted(url), 0, e.getMessage(), e));
        return;
      }
      http.sendAsync(request, info -> handlerFor(url, info))
          .whenComplete(
              (response, failure) -> {
                if (failure != null) {
                  Throwable cause = ApiTransport.unwrap(failure);
                  DownloadException ours = ownFailure(failure);
                  fail(
                      ours != null
                          ? ours
                          : new DownloadException(
                              Reason.TRANSPORT, redacted(url), 0,
                              "download of " + redacted(url) + " failed: " + describe(cause), cause));
                  return;
                }
                int status = response.statusCode();
                if (status >= 300 && status < 400) {
                  redirect(url, hops, status, response.headers().firstValue("Location").orElse(null));
                } else if (status < 200 || status > 299) {
                  fail(
                      new DownloadException(
                          Reason.HTTP_STATUS, redacted(url), status,
                          "artifact server answered " + status + " for " + redacted(url)
                              + (status == 403 ? " (the pre-signed URL may have expired)" : ""),
                          null));
                } else if (response.body() != null) {
                  succeed(response.body());
                }
              });
    }

    void redirect(URI from, int hops, int status, String location) {
      if (location == null) {
        fail(
            new DownloadException(
                Reason.HTTP_STATUS, redacted(from), status,
                "artifact server answered " + status + " without a Location", null));
      } else if (hops >= MAX_REDIRECTS) {
        fail(
            new DownloadException(
                Reason.TOO_MANY_REDIRECTS, redacted(from), status,
                "more than " + MAX_REDIRECTS + " redirects from " + redacted(original), null));
      } else {
        URI next;
        try {
          next = from.resolve(location);
        } catch (IllegalArgumentException e) {
          fail(new DownloadException(Reason.UNSUPPORTED_URL, redacted(from), status,
              "bad redirect Location from " + redacted(from), e));
          return;
        }
        fetch(next, hops + 1);
      }
    }

    HttpResponse.BodySubscriber<Path> handlerFor(URI url, HttpResponse.ResponseInfo info) {
      int status = info.statusCode();
      this.status = status;
      if (status < 200 || status > 299) {
        return HttpResponse.BodySubscribers.replacing(null);
      }
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > maxBytes) {
        return new FailingSubscriber<>(tooLarge(url, declared));
      }
      FileSubscriber s = new FileSubscriber(this, url);
      body = s;
      return s;
    }
  }

  private DownloadException tooLarge(URI url, long size) {
    return new DownloadException(
        Reason.TOO_LARGE, redacted(url), 0,
        "image at " + redacted(url) + " is larger than the " + maxBytes + "-byte cap"
            + (size > 0 ? " (" + size + " bytes)" : ""),
        null);
  }

  /** Our own failure from the body subscriber, which the HttpClient may wrap in an IOException. */
  private static DownloadException ownFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DownloadException d) {
        return d;
      }
    }
    return null;
  }

  private static String describe(Throwable cause) {
    String m = cause.getMessage();
    return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** The URL without its query, which may hold a signature that logs should not keep. */
  static URI redacted(URI url) {
    if (url.getRawQuery() == null) {
      return url;
    }
    String s = url.toString();
    int q = s.indexOf('?');
    return URI.create(s.substring(0, q));
  }

  /**
   * Writes the body to a temporary file, enforcing the cap and the magic bytes as bytes arrive,
   * and moves it into place on completion, unless the download has been settled otherwise.
   */
  private final class FileSubscriber implements HttpResponse.BodySubscriber<Path> {
    private final Download download;
    private final URI url;
    private final CompletableFuture<Path> body = new CompletableFuture<>();
    private final byte[] head = new byte[ImageFormat.MAGIC_LENGTH];
    private final Object lock = new Object();
    private int headLength;
    private Flow.Subscription subscription;
    private Path temp;
    private FileChannel channel;
    private long written;
    private boolean discarded;

    FileSubscriber(Download download, URI url) {
      this.download = download;
      this.url = url;
    }

    @Override
    public CompletionStage<Path> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      synchronized (lock) {
        this.subscription = s;
        if (discarded) {
          s.cancel();
          return;
        }
        try {
          Path dir = download.target.getParent();
          Files.createDirectories(dir);
          temp = Files.createTempFile(dir, "." + download.target.getFileName() + ".", ".part");
          channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (IOException e) {
          fail(new DownloadException(
              Reason.LOCAL_FILE, redacted(url), 0, "cannot write beside " + download.target + ": " + e, e));
          return;
        }
      }
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      synchronized (lock) {
        if (discarded) {
          return;
        }
        try {
          for (ByteBuffer b : buffers) {
            written += b.remaining();
            if (written > maxBytes) {
              fail(tooLarge(url, -1));
              return;
            }
            if (headLength < head.length) {
              int n = Math.min(head.length - headLength, b.remaining());
              b.duplicate().get(head, headLength, n);
              headLength += n;
              if (headLength == head.length && !checkMagic()) {
                return;
              }
            }
            while (b.hasRemaining()) {
              channel.write(b);
            }
          }
        } catch (IOException e) {
          fail(new DownloadException(
              Reason.LOCAL_FILE, redacted(url), 0, "cannot write " + temp + ": " + e, e));
          return;
        }
      }
      subscription.request(1);
    }

    private boolean checkMagic() {
      if (ImageFormat.detect(head, headLength).isPresent()) {
        return true;
      }
      fail(new DownloadException(
          Reason.NOT_AN_IMAGE, redacted(url), 0,
          "body of " + redacted(url) + " is not a PNG, JPEG or WebP image (first bytes: "
              + hex(head, headLength) + ")",
          null));
      return false;
    }

    @Override
    public void onError(Throwable error) {
      synchronized (lock) {
        if (discarded) {
          return;
        }
        fail(new DownloadException(
            Reason.TRANSPORT, redacted(url), 0,
            "download of " + redacted(url) + " broke off after " + written + " bytes: "
                + describe(error),
            error));
      }
    }

    @Override
    public void onComplete() {
      synchronized (lock) {
        if (discarded) {
          return;
        }
        if (headLength < head.length && !checkMagic()) {
          return;
        }
        if (!download.settle()) {
          discard();
          return;
        }
        try {
          channel.close();
          try {
            Files.move(temp, download.target,
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, download.target, StandardCopyOption.REPLACE_EXISTING);
          }
          body.complete(download.target);
        } catch (IOException e) {
          deleteTemp();
          DownloadException de = new DownloadException(
              Reason.LOCAL_FILE, redacted(url), 0,
              "cannot move image into " + download.target + ": " + e, e);
          body.completeExceptionally(de);
          download.deadline.complete(null);
          download.exchange.end(download.status, null, de);
          download.result.completeExceptionally(de);
        }
      }
    }

    /** Fails this body; the download's outcome follows through {@code sendAsync}. */
    private void fail(DownloadException e) {
      // Settle the download first: cancelling the body makes the HttpClient fail the exchange
      // with an error of its own ("stream cancelled"), which must not replace this one.
      download.fail(e);
      body.completeExceptionally(e);
      discard();
    }

    /** Stops reading and removes the temporary file. Safe to call from any thread, repeatedly. */
    void discard() {
      synchronized (lock) {
        if (discarded) {
          return;
        }
        discarded = true;
        if (subscription != null) {
          subscription.cancel();
        }
        deleteTemp();
      }
    }

    private void deleteTemp() {
      try {
        if (channel != null) {
          channel.close();
        }
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      } catch (IOException ignored) {
        // A leftover hidden .part file is better than masking the original failure.
      }
    }
  }

  private static String hex(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(String.format("%02x", b[i] & 0xFF));
    }
    return s.toString();
  }
}

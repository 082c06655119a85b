package ai.anycap.sinks.internal;

import ai.anycap.pipeline.SinkException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.UnaryOperator;

/** What the HTTP sinks share: the default client, bounded response bodies, and status rules. */
public final class SinkHttp {

  /** Response bytes kept; the rest is read and dropped. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  /** Characters of a response body quoted in an exception message. */
  public static final int MAX_QUOTED_BODY = 300;

  /** Headers {@link java.net.http.HttpRequest.Builder#header} refuses. */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  private SinkHttp() {}

  /** A client for a sink that was given none: HTTP/1.1 and 2, no redirects. */
  public static HttpClient defaultClient(Duration connectTimeout) {
    // Redirects are never followed, so an Authorization header never travels to another host.
    return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The timeout, checked to be positive; every sink's builder takes one. */
  public static Duration positiveTimeout(Duration timeout) {
    java.util.Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return timeout;
  }

  /** Checks a user's extra header at configuration time. */
  public static void checkHeader(String name, String value) {
    if (name.isBlank() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
      throw new IllegalArgumentException("invalid header name '" + name + "'");
    }
    if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("header '" + name + "' is set by the HTTP client and cannot be overridden");
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("the value of header '" + name + "' contains a line break");
    }
  }

  /** Whether trying the same delivery again may work: 429 and 5xx. */
  public static boolean retryableStatus(int status) {
    return status == 429 || status >= 500;
  }

  /** A body handler that keeps the first 16 KiB of the body as text. */
  public static HttpResponse.BodyHandler<String> boundedText() {
    return info -> new BoundedText(MAX_BODY_BYTES);
  }

  /** The failure for a response that is not 2xx, quoting (redacted, shortened) what the server said. */
  public static SinkException statusFailure(
      String sink, String request, HttpResponse<String> response, UnaryOperator<String> redact) {
    int status = response.statusCode();
    String body = quote(redact.apply(response.body() == null ? "" : response.body()));
    String message = request + " returned HTTP " + status + (body.isEmpty() ? "" : ": " + body);
    if (status >= 300 && status < 400) {
      message += response.headers().firstValue("location").map(l -> " (redirect to " + l + " not followed)").orElse("");
    }
    return new SinkException(sink, message, retryableStatus(status));
  }

  /**
   * The failure for an exception from sending: a transport failure (retryable), or whatever the
   * sink itself threw.
   */
  public static SinkException transportFailure(
      String sink, String request, Throwable error, UnaryOperator<String> redact) {
    Throwable e = cause(error);
    if (e instanceof SinkException s) {
      return s;
    }
    if (e instanceof HttpTimeoutException) {
      return new SinkException(sink, request + " timed out", true, e);
    }
    if (e instanceof IOException) {
      String detail = e.getMessage() == null ? "" : ": " + redact.apply(e.getMessage());
      return new SinkException(sink, request + " failed: " + e.getClass().getSimpleName() + detail, true, e);
    }
    return new SinkException(sink, request + " failed: " + redact.apply(e.toString()), false, e);
  }

  /** The failure inside the {@link CompletionException}s a future's stages wrap it in. */
  public static Throwable cause(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** A response body shortened for a message, on one line. */
  public static String quote(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_QUOTED_BODY ? oneLine : oneLine.substring(0, MAX_QUOTED_BODY) + "...";
  }

  /** Keeps the first bytes of a body, reads and drops the rest so the connection can be reused. */
  private static final class BoundedText implements HttpResponse.BodySubscriber<String> {
    private final int max;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<String> body = new CompletableFuture<>();

    BoundedText(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<String> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        int n = Math.min(b.remaining(), max - kept.size());
        if (n > 0) {
          byte[] bytes = new byte[n];
          b.get(bytes);
          kept.write(bytes, 0, n);
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      body.complete(new String(kept.toByteArray(), StandardCharsets.UTF_8));
    }
  }
}

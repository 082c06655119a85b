package ai.anycap.client;

import java.net.URI;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An image could not be downloaded from its artifact URL. No file is left behind: the target path
 * holds either the complete image or whatever it held before.
 *
 * <p>{@link #reason()} says why; {@link #retryable()} is true for reasons where downloading the
 * same URL again may work (server errors, transport failures, truncated bodies). It never implies
 * that the image should be generated again.
 *
 * @serial exclude
 */
public final class DownloadException extends AnyCapException {

  /** Why a download failed. */
  public enum Reason {
    /** The URL is not http or https. */
    UNSUPPORTED_URL(false),
    /** The artifact server answered with a non-2xx status; see {@link #statusCode()}. */
    HTTP_STATUS(false),
    /** The body was larger than the configured cap. */
    TOO_LARGE(false),
    /** The body does not start with PNG, JPEG or WebP magic bytes. */
    NOT_AN_IMAGE(false),
    /** The connection failed, timed out or ended before the whole body arrived. */
    TRANSPORT(true),
    /** The image arrived but could not be written to the target path. */
    LOCAL_FILE(false),
    /** Too many redirects. */
    TOO_MANY_REDIRECTS(false);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }
  }

  private final Reason reason;
  private final URI url;
  private final int statusCode;

  /**
   * Used by the client when a download fails; public so that tests can build one.
   *
   * @param reason why it failed
   * @param url the artifact URL without its query string, which may hold a signature
   * @param statusCode the HTTP status for {@link Reason#HTTP_STATUS}, else 0
   * @param message what happened, naming the URL without its query
   * @param cause the failure beneath, or null
   */
  public DownloadException(Reason reason, URI url, int statusCode, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.url = Objects.requireNonNull(url, "url");
    this.statusCode = statusCode;
  }

  /**
   * Why the download failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The artifact URL.
   *
   * @return the URL without its query string (which may hold a signature)
   */
  public URI url() {
    return url;
  }

  /**
   * The HTTP status, when the failure was one.
   *
   * @return the status for {@link Reason#HTTP_STATUS}; empty otherwise
   */
  public OptionalInt statusCode() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  @Override
  public boolean retryable() {
    if (reason == Reason.HTTP_STATUS) {
      return statusCode == 408 || statusCode == 429 || statusCode >= 500;
    }
    return reason.retryable;
  }
}

package ai.anycap.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A local reference file could not be uploaded. The message names the file. {@link #reason()}
 * says why: the first four are found before anything is sent (nothing is spent), the last two on
 * the {@code PUT} of the bytes to the server's upload URL, after the client's own retries.
 * Errors of the presign call itself arrive as {@link AnyCapServiceException}s, as for any API
 * call (a 413 {@code file_too_large}, say).
 *
 * @serial exclude
 */
public final class UploadException extends AnyCapException {

  /** Why an upload failed. */
  public enum Reason {
    /** The file does not exist. */
    FILE_MISSING,
    /** The file exists but cannot be read (a directory, no permission, an I/O error). */
    FILE_UNREADABLE,
    /** The file does not start with PNG, JPEG or WebP magic bytes. */
    NOT_AN_IMAGE,
    /** The file is larger than the client's upload cap. */
    TOO_LARGE,
    /** The upload URL answered with a non-2xx status; see {@link #statusCode()}. */
    HTTP_STATUS,
    /** The connection to the upload URL failed or timed out. */
    TRANSPORT
  }

  private final Reason reason;
  private final Path file;
  private final URI uploadUrl;
  private final int statusCode;

  /**
   * @param reason why it failed
   * @param file the local file
   * @param uploadUrl the upload URL without its query, or null when none was reached
   * @param statusCode the upload URL's HTTP status, or 0 when there was none
   * @param message a sentence for people, naming the file
   * @param cause the underlying failure, or null
   */
  public UploadException(
      Reason reason, Path file, URI uploadUrl, int statusCode, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.file = Objects.requireNonNull(file, "file");
    this.uploadUrl = uploadUrl;
    this.statusCode = statusCode;
  }

  /**
   * Why the upload failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The local file concerned.
   *
   * @return the file, as an absolute path
   */
  public Path file() {
    return file;
  }

  /**
   * The upload URL, without its query string (which may hold a signature).
   *
   * @return the URL, when the failure happened there
   */
  public Optional<URI> uploadUrl() {
    return Optional.ofNullable(uploadUrl);
  }

  /**
   * The upload URL's HTTP status, when the failure was one.
   *
   * @return the status
   */
  public OptionalInt statusCode() {
    return statusCode > 0 ? OptionalInt.of(statusCode) : OptionalInt.empty();
  }

  /** True for transport failures and 408, 429 and 5xx answers (after the client's own retries). */
  @Override
  public boolean retryable() {
    if (reason == Reason.TRANSPORT) {
      return true;
    }
    return reason == Reason.HTTP_STATUS
        && (statusCode == 408 || statusCode == 429 || statusCode >= 500);
  }
}

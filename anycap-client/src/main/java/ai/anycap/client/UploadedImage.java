package ai.anycap.client;

import java.net.URI;
import java.util.Objects;

/**
 * A local file the server now holds, from {@link Images#upload(java.nio.file.Path)}: the {@code
 * object_url} to name it by in {@code images}, and what identifies its bytes.
 *
 * @param objectUrl the server's {@code object_url} for the file, as it goes into {@code images}
 * @param sha256 the SHA-256 of the bytes, 64 lowercase hex digits
 * @param size the file's length in bytes
 * @param contentType the content type sent with it, from the file name's extension
 * @param reused whether the server already had these bytes ({@code reused: true}), so that none
 *     were sent; an answer from the client's upload cache repeats the value of the upload that
 *     filled it
 */
public record UploadedImage(
    URI objectUrl, String sha256, long size, String contentType, boolean reused) {

  /**
   * Checks the parts; the client makes these, tests may too.
   *
   * @param objectUrl the server's {@code object_url} for the file
   * @param sha256 the SHA-256 of the bytes, 64 lowercase hex digits
   * @param size the file's length in bytes, not negative
   * @param contentType the content type sent with it
   * @param reused whether the server already had these bytes
   * @throws IllegalArgumentException when {@code sha256} is not 64 lowercase hex digits or {@code
   *     size} is negative
   */
  public UploadedImage {
    Objects.requireNonNull(objectUrl, "objectUrl");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(contentType, "contentType");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits, got '" + sha256 + "'");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
  }
}

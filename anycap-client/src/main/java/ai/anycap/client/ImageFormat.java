package ai.anycap.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The image formats AnyCap returns, recognised by their first bytes rather than by a URL or a
 * {@code Content-Type} header that may lie.
 */
public enum ImageFormat {
  /** PNG, {@code image/png}: the format the image models usually return. */
  PNG("image/png", "png"),
  /** JPEG, {@code image/jpeg}. */
  JPEG("image/jpeg", "jpg"),
  /** WebP, {@code image/webp}. */
  WEBP("image/webp", "webp");

  /** How many leading bytes {@link #detect(byte[], int)} needs to decide. */
  public static final int MAGIC_LENGTH = 12;

  private final String mediaType;
  private final String extension;

  ImageFormat(String mediaType, String extension) {
    this.mediaType = mediaType;
    this.extension = extension;
  }

  /**
   * The media type, for {@code Content-Type}.
   *
   * @return such as {@code image/png}
   */
  public String mediaType() {
    return mediaType;
  }

  /**
   * The usual file extension.
   *
   * @return such as {@code png}, without a dot
   */
  public String extension() {
    return extension;
  }

  /**
   * The format whose magic bytes start {@code head[0..length)}.
   *
   * @param head the first bytes of the image; {@value #MAGIC_LENGTH} are enough
   * @param length how many bytes of {@code head} are filled
   * @return the format, or empty when the bytes are none of these
   */
  public static Optional<ImageFormat> detect(byte[] head, int length) {
    Objects.requireNonNull(head, "head");
    int n = Math.min(length, head.length);
    if (n >= 8
        && (head[0] & 0xFF) == 0x89
        && head[1] == 'P'
        && head[2] == 'N'
        && head[3] == 'G'
        && head[4] == 0x0D
        && head[5] == 0x0A
        && head[6] == 0x1A
        && head[7] == 0x0A) {
      return Optional.of(PNG);
    }
    if (n >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF) {
      return Optional.of(JPEG);
    }
    if (n >= 12
        && head[0] == 'R'
        && head[1] == 'I'
        && head[2] == 'F'
        && head[3] == 'F'
        && head[8] == 'W'
        && head[9] == 'E'
        && head[10] == 'B'
        && head[11] == 'P') {
      return Optional.of(WEBP);
    }
    return Optional.empty();
  }

  /**
   * The format of the image in this file, read from its first bytes.
   *
   * @param file the file
   * @return the format, or empty when the file is none of these
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  public static Optional<ImageFormat> detect(Path file) {
    Objects.requireNonNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(MAGIC_LENGTH);
      return detect(head, head.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}

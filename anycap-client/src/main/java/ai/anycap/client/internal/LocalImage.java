package ai.anycap.client.internal;

import ai.anycap.client.ImageFormat;
import ai.anycap.client.UploadException;
import ai.anycap.client.UploadException.Reason;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A local reference file, read and checked before anything is sent: it exists, is readable, is
 * under the cap and starts with an image's magic bytes. Carries what the presign call needs.
 *
 * @param file the absolute path
 * @param contentType from the file name's extension, as the CLI sets it
 * @param bytes the file's content
 * @param sha256 64 lowercase hex digits of the content
 */
public record LocalImage(Path file, String contentType, byte[] bytes, String sha256) {

  /** By extension, as the CLI sends them; an unknown extension takes the detected format's. */
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("jpe", "image/jpeg"),
      Map.entry("webp", "image/webp"),
      Map.entry("gif", "image/gif"),
      Map.entry("bmp", "image/bmp"),
      Map.entry("tif", "image/tiff"),
      Map.entry("tiff", "image/tiff"),
      Map.entry("heic", "image/heic"),
      Map.entry("avif", "image/avif"));

  /** A file's size and modification time: when both are unchanged its hash is taken as known. */
  public record Stamp(Path file, long size, long modifiedMillis) {}

  /** The file name, as sent in {@code filename}. */
  public String fileName() {
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }

  /**
   * Size and modification time of a file, checking that it exists, is a regular file and is no
   * larger than {@code maxBytes}.
   */
  public static Stamp stamp(Path file, long maxBytes) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new UploadException(Reason.FILE_MISSING, file, null, 0,
          "reference image " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UploadException(Reason.FILE_UNREADABLE, file, null, 0,
          "reference image " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (!a.isRegularFile()) {
      throw new UploadException(Reason.FILE_UNREADABLE, file, null, 0,
          "reference image " + file + " is not a regular file", null);
    }
    if (a.size() > maxBytes) {
      throw tooLarge(file, a.size(), maxBytes);
    }
    return new Stamp(file, a.size(), a.lastModifiedTime().toMillis());
  }

  /** Checks a file as {@link #read} does, reading only its first bytes: nothing is hashed. */
  public static void check(Path file, long maxBytes) {
    stamp(file, maxBytes);
    byte[] head;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(ImageFormat.MAGIC_LENGTH);
    } catch (IOException e) {
      throw readFailure(file, e);
    }
    if (ImageFormat.detect(head, head.length).isEmpty()) {
      throw notAnImage(file, head.length);
    }
  }

  private static UploadException readFailure(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new UploadException(Reason.FILE_MISSING, file, null, 0, "reference image " + file + " does not exist", e);
    }
    return new UploadException(Reason.FILE_UNREADABLE, file, null, 0,
        "reference image " + file + " cannot be read: " + e, e);
  }

  private static UploadException notAnImage(Path file, int length) {
    return new UploadException(Reason.NOT_AN_IMAGE, file, null, 0,
        "reference image " + file + " is not an image: "
            + (length == 0 ? "the file is empty" : "it does not start with PNG, JPEG or WebP magic bytes"),
        null);
  }

  /**
   * The SHA-256 of the file's bytes, read as a stream and checked as {@link #check} checks: for a
   * fingerprint of the file, without holding it in memory.
   */
  public static String digest(Path file, long maxBytes) {
    stamp(file, maxBytes);
    MessageDigest sha = newSha256();
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
        if (total == 0 && ImageFormat.detect(buffer, n).isEmpty()) {
          throw notAnImage(file, n);
        }
        total += n;
        if (total > maxBytes) {
          throw tooLarge(file, total, maxBytes);
        }
        sha.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw readFailure(file, e);
    }
    if (total == 0) {
      throw notAnImage(file, 0);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Reads and checks the file. */
  public static LocalImage read(Path file, long maxBytes) {
    return read(file, maxBytes, null);
  }

  /**
   * Reads and checks the file; {@code knownSha256}, when not null, is taken as the hash of its
   * bytes (the file's size and modification time are those it was computed for), so that a file
   * hashed for a fingerprint is not hashed again for its upload.
   */
  public static LocalImage read(Path file, long maxBytes, String knownSha256) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UploadException(Reason.FILE_MISSING, file, null, 0,
          "reference image " + file + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new UploadException(Reason.FILE_UNREADABLE, file, null, 0,
          "reference image " + file + " cannot be read: permission denied", e);
    } catch (IOException | OutOfMemoryError e) {
      throw new UploadException(Reason.FILE_UNREADABLE, file, null, 0,
          "reference image " + file + " cannot be read: " + e, e);
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(file, bytes.length, maxBytes);
    }
    Optional<ImageFormat> format = ImageFormat.detect(bytes, bytes.length);
    if (format.isEmpty()) {
      throw notAnImage(file, bytes.length);
    }
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    String type = TYPES.getOrDefault(ext, format.get().mediaType());
    return new LocalImage(file, type, bytes, knownSha256 != null ? knownSha256 : sha256(bytes));
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newSha256().digest(bytes));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static UploadException tooLarge(Path file, long size, long maxBytes) {
    return new UploadException(Reason.TOO_LARGE, file, null, 0,
        "reference image " + file + " is " + size + " bytes, over the upload cap of " + maxBytes
            + " bytes (AnyCapClient.Builder.maxUploadBytes)",
        null);
  }

  @Override
  public String toString() {
    return "LocalImage{" + file + ", " + contentType + ", " + bytes.length + " bytes, sha256=" + sha256 + '}';
  }
}

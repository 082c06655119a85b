package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.OutputCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The image files under the output root, as the journal sees them: what a file looked like when
 * its job was recorded ({@link Seen}), whether it still does, and the temporary files that a run
 * killed mid-download left behind.
 */
final class OutputFiles {

  /**
   * The temporary files this SDK writes beside a target before moving it into place: {@code
   * .<name>.<digits>.part} (the client's downloads and the pipeline's copies alike).
   */
  private static final Pattern TEMP_FILE = Pattern.compile("\\..+\\.\\d+\\.part");

  private OutputFiles() {}

  /**
   * What a file looked like.
   *
   * @param size its length in bytes
   * @param modifiedMillis its modification time, -1 when not recorded
   * @param sha256 the SHA-256 of its bytes (hex), or null when not recorded
   */
  record Seen(long size, long modifiedMillis, String sha256) {}

  /** Looks at {@code file}; with {@code hash}, reads it whole for its SHA-256. */
  static Seen see(Path file, boolean hash) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Seen(a.size(), a.lastModifiedTime().toMillis(), hash ? sha256(file) : null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to record it in the journal", e);
    }
  }

  /** Whether {@code file} is still what {@code recorded} says, by {@code check}. */
  static boolean unchanged(Path file, Seen recorded, OutputCheck check) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      if (!a.isRegularFile() || a.size() != recorded.size()) {
        return false;
      }
      if (check == OutputCheck.SIZE_AND_TIME && recorded.modifiedMillis() >= 0
          && a.lastModifiedTime().toMillis() != recorded.modifiedMillis()) {
        return false;
      }
      return check != OutputCheck.SHA256 || recorded.sha256() == null || recorded.sha256().equals(sha256(file));
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  /**
   * Deletes this SDK's temporary files under {@code root} that were last written before {@code
   * before}: leftovers of a run that was killed mid-download. Files of other names are never touched.
   *
   * @return how many were deleted
   */
  static long removeLeftovers(Path root, Instant before) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    AtomicLong removed = new AtomicLong();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> TEMP_FILE.matcher(p.getFileName().toString()).matches())
          .forEach(p -> {
            try {
              BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
              if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(before) && Files.deleteIfExists(p)) {
                removed.incrementAndGet();
              }
            } catch (IOException e) {
              // Gone already, or not ours to delete: leave it.
            }
          });
    } catch (IOException | UncheckedIOException e) {
      // An unreadable directory: the leftovers in it stay; nothing else depends on them.
    }
    return removed.get();
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

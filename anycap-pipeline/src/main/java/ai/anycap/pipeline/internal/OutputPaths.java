package ai.anycap.pipeline.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns output keys into paths under the output root, refusing every way out of it: absolute
 * keys, {@code ..} segments, and symbolic links (in the key's existing directories) that point
 * elsewhere.
 */
public final class OutputPaths {

  // Compiled once: every entry of a batch is resolved at least twice.
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
  private static final Pattern SEPARATOR = Pattern.compile("[/\\\\]");

  private final Path root;

  public OutputPaths(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * The path for {@code key}, checked lexically (no file system access).
   *
   * @throws IllegalArgumentException saying what is wrong with the key
   */
  public Path resolve(String key) {
    if (key.isBlank()) {
      throw new IllegalArgumentException("output key is blank");
    }
    if (key.startsWith("/") || key.startsWith("\\") || DRIVE.matcher(key).matches()) {
      throw new IllegalArgumentException("output key '" + key + "' is absolute; it must be relative to the output root");
    }
    for (String segment : SEPARATOR.split(key)) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException("output key '" + key + "' contains '..'");
      }
    }
    if (key.endsWith("/") || key.endsWith("\\")) {
      throw new IllegalArgumentException("output key '" + key + "' names a directory, not a file");
    }
    if (key.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("output key contains a NUL character");
    }
    Path p;
    try {
      p = root.resolve(key).normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("output key '" + key + "' is not a valid path: " + e.getReason());
    }
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IllegalArgumentException("output key '" + key + "' leaves the output root");
    }
    return p;
  }

  /**
   * Checks, just before writing, that no existing directory between the root and {@code path} is
   * a link leading out of the root, and that {@code path} itself is not a directory or a link.
   *
   * @throws IllegalArgumentException when it is
   */
  public void checkOnDisk(Path path) throws IOException {
    checkDirectories(path);
    checkFile(path);
  }

  /**
   * Checks that no existing directory between the root and {@code path} is a link leading out of
   * the root. Every file of one directory gets the same answer, so a caller may ask once per
   * directory.
   *
   * @throws IllegalArgumentException when one is
   */
  public void checkDirectories(Path path) throws IOException {
    Path realRoot = Files.exists(root) ? root.toRealPath() : root;
    Path dir = path.getParent();
    while (dir != null && dir.startsWith(root) && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      dir = dir.getParent();
    }
    if (dir != null && dir.startsWith(root) && !dir.toRealPath().startsWith(realRoot)) {
      throw new IllegalArgumentException(
          "output path " + root.relativize(path) + " goes through a link that leaves the output root");
    }
  }

  /**
   * Checks that {@code path} itself is not a link (which could lead anywhere) or a directory.
   *
   * @throws IllegalArgumentException when it is
   */
  public void checkFile(Path path) {
    if (Files.isSymbolicLink(path)) {
      throw new IllegalArgumentException("output path " + root.relativize(path) + " is a symbolic link");
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("output path " + root.relativize(path) + " is a directory");
    }
  }

  /** The path for the {@code index}-th (from 2) extra image of a generation: {@code a.png} to {@code a-2.png}. */
  public static Path numbered(Path first, int index) {
    String name = first.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String numbered = dot > 0 ? name.substring(0, dot) + "-" + index + name.substring(dot) : name + "-" + index;
    return first.resolveSibling(numbered);
  }
}

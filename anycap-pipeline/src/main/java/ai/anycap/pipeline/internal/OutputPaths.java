package ai.anycap.pipeline.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Turns output keys into paths under the output root, refusing every way out of it: absolute
 * keys, {@code ..} segments, and symbolic links (in the key's existing directories) that point
 * elsewhere.
 */
public final class OutputPaths {

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
    if (key.startsWith("/") || key.startsWith("\\") || key.matches("^[A-Za-z]:.*")) {
      throw new IllegalArgumentException("output key '" + key + "' is absolute; it must be relative to the output root");
    }
    for (String segment : key.split("[/\\\\]")) {
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
    Path realRoot = Files.exists(root) ? root.toRealPath() : root;
    Path dir = path.getParent();
    while (dir != null && dir.startsWith(root) && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      dir = dir.getParent();
    }
    if (dir != null && dir.startsWith(root) && !dir.toRealPath().startsWith(realRoot)) {
      throw new IllegalArgumentException(
          "output path " + root.relativize(path) + " goes through a link that leaves the output root");
    }
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

package ai.anycap.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** A temporary directory that is deleted, with everything in it, on close. */
final class Scratch implements AutoCloseable {

  private final Path dir;

  private Scratch(Path dir) {
    this.dir = dir;
  }

  static Scratch create(String name) {
    try {
      return new Scratch(Files.createTempDirectory("anycap-bench-" + name + "-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path() {
    return dir;
  }

  Path resolve(String name) {
    return dir.resolve(name);
  }

  @Override
  public void close() {
    delete(dir);
  }

  /** Deletes a directory tree; a benchmark's leftovers are not worth failing over. */
  static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      Progress.say("   could not delete " + root + ": " + e.getMessage());
    }
  }
}

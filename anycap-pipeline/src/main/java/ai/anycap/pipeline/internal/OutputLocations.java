package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.InvalidJobException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The checking pass's look at the disk, so that a file that could not be written is found before
 * the first request, not when its job runs: the output root can be created and written, and no
 * output path goes through an existing link that leads out of the root, or is a link or a
 * directory itself. Reads only; creates nothing. Not thread-safe.
 */
final class OutputLocations {

  /** Directories already looked at: a batch writes to few, many times each. */
  private static final int DIRECTORIES_REMEMBERED = 256;

  private final OutputPaths paths;
  /**
   * By directory looked at (found to stay inside the root): the names in it that are links or
   * directories, which no file may be written as. A directory is listed once, so a batch asks the
   * file system about each existing file once, and about a file that does not exist not at all.
   */
  private final Map<Path, Set<String>> unsafeNames =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Set<String>> eldest) {
          return size() > DIRECTORIES_REMEMBERED;
        }
      };

  OutputLocations(OutputPaths paths) {
    this.paths = paths;
  }

  /**
   * What keeps files from being written under the root: it is a file, or it does not exist and
   * cannot be created (a file stands where a directory of its path should be), or it cannot be
   * written.
   *
   * @return the problem, or null when there is none
   */
  String rootProblem() {
    Path root = paths.root();
    if (Files.isDirectory(root)) {
      return Files.isWritable(root) ? null : root + " is a directory this process cannot write to";
    }
    if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return root + (Files.isSymbolicLink(root) ? " is a link to no directory" : " is a file")
          + "; the output root must be a directory";
    }
    Path existing = root.getParent();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return root + " cannot be created: no part of its path exists";
    }
    if (!Files.isDirectory(existing)) {
      return root + " cannot be created: " + existing + " is a file";
    }
    if (!Files.isWritable(existing)) {
      return root + " cannot be created: this process cannot write to " + existing;
    }
    return null;
  }

  /**
   * Checks the output path of the job at {@code plan}, as it will be checked again just before its
   * file is written.
   *
   * @throws InvalidJobException naming the output key when the path leaves the root through a link,
   *     is a link or a directory, or cannot be inspected
   */
  void check(JobPlan plan) {
    Path path = plan.output();
    try {
      Path dir = path.getParent();
      Set<String> unsafe = unsafeNames.get(dir);
      if (unsafe == null) {
        paths.checkDirectories(path);
        unsafe = unsafeNamesIn(dir);
        unsafeNames.put(dir, unsafe);
      }
      if (unsafe.contains(path.getFileName().toString())) {
        paths.checkFile(path);
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(plan.position(), "output key", e.getMessage(), e);
    } catch (IOException e) {
      throw new InvalidJobException(plan.position(), "output key",
          "output path " + paths.root().relativize(path) + " cannot be inspected: " + e, e);
    }
  }

  private static Set<String> unsafeNamesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (a.isSymbolicLink() || a.isDirectory()) {
          names.add(entry.getFileName().toString());
        }
      }
    }
    return names;
  }
}

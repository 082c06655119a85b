package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.InvalidJobException;
import ai.anycap.pipeline.JobPosition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens job files, turning "not there" and "not readable" into {@link InvalidJobException}s. */
public final class JobFiles {

  private JobFiles() {}

  /** The name messages use for a job file: its file name, without the directories. */
  public static String description(Path file) {
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }

  /**
   * Opens {@code file} for reading.
   *
   * @throws InvalidJobException at line 0 when the file is missing, a directory or unreadable
   */
  public static InputStream open(Path file) {
    JobPosition where = new JobPosition(description(file), 0);
    if (Files.isDirectory(file)) {
      throw new InvalidJobException(
          where, null, "is a directory, not a job file: " + file.toAbsolutePath());
    }
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new InvalidJobException(where, null, "file not found: " + file.toAbsolutePath(), e);
    } catch (AccessDeniedException e) {
      throw new InvalidJobException(
          where, null, "file cannot be read (access denied): " + file.toAbsolutePath(), e);
    } catch (IOException e) {
      throw new InvalidJobException(
          where, null, "file cannot be opened: " + file.toAbsolutePath() + ": " + e, e);
    }
  }
}

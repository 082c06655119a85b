package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.JournalException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One pipeline per journal: an operating-system lock on {@code <journal>.lock}, held while the
 * journal is open, and released by the OS when the process dies (so a killed run never leaves a
 * journal locked). The file names its holder, so that a second run is told who has the journal
 * instead of appending to it and paying for every job twice.
 */
final class JournalLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private JournalLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code journal}.
   *
   * @throws JournalException naming the journal and its holder when another pipeline has it
   */
  static JournalLock take(Path journal) {
    Path file = journal.resolveSibling(journal.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // another pipeline of this process holds it
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new JournalException(
            "journal " + journal + " is in use by another run (" + holder + "; lock file " + file.getFileName()
                + "): two runs on one journal would pay twice for every job. Wait for it to end, or give this run"
                + " its own output directory and journal",
            null);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(describeThisProcess().getBytes(StandardCharsets.UTF_8)), 0);
      return new JournalLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new JournalException("cannot lock journal " + journal + " (" + file + "): " + e.getMessage(), e);
    }
  }

  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    int n = channel.read(b, 0);
    String text = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "a process that has not written its name yet" : text;
  }

  private static String describeThisProcess() {
    String host = System.getenv("HOSTNAME");
    return "pid " + ProcessHandle.current().pid() + (host == null || host.isBlank() ? "" : " on " + host)
        + ", since " + Instant.now() + "\n";
  }

  /**
   * Releases the lock. The file stays (emptied): deleting it would let a run that opened it a moment
   * earlier lock a file no longer in the directory while a third run locks a new one.
   */
  @Override
  public void close() {
    try {
      channel.truncate(0);
      lock.release();
    } catch (IOException e) {
      // The OS releases the lock with the channel.
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing held any more
      }
    }
  }
}

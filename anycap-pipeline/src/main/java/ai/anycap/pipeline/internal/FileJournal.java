package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageGeneration;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JournalException;
import ai.anycap.pipeline.OutputCheck;
import ai.anycap.pipeline.SinkReceipt;
import ai.anycap.pipeline.internal.JournalIndex.State;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal in a JSON Lines file ({@link JournalLines} has the format), appended to as jobs are
 * answered and end, never rewritten. Opening it takes its {@link JournalLock}, cuts off a torn last
 * line (a process killed mid-write, or a full disk), and checks the files of every job it records
 * as succeeded ({@link OutputCheck}). What it knows lives in a {@link JournalIndex}, a few bytes a
 * job, plus maps of the few jobs that were answered but not downloaded, or kept but not delivered.
 */
final class FileJournal implements Journal {

  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  private final Path file;
  private final Path outputRoot;
  private final Clock clock;
  private final OutputCheck check;
  private final Function<Path, String> referenceSha256;
  private final JournalLock lock;
  private final FileChannel channel;
  private final JournalIndex index = new JournalIndex();
  private final Map<String, Generated> generated = new HashMap<>();
  private final Map<String, Undelivered> undelivered = new HashMap<>();

  private FileJournal(Path file, Path outputRoot, Clock clock, OutputCheck check, Function<Path, String> referenceSha256,
      JournalLock lock, FileChannel channel) {
    this.file = file;
    this.outputRoot = outputRoot;
    this.clock = clock;
    this.check = check;
    this.referenceSha256 = referenceSha256;
    this.lock = lock;
    this.channel = channel;
  }

  static FileJournal open(
      Path file, Path outputRoot, Clock clock, OutputCheck check, Function<Path, String> referenceSha256) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new JournalException("cannot create the directory of journal " + file + ": " + e.getMessage(), e);
    }
    if (Files.isDirectory(file)) {
      throw new JournalException("journal " + file + " is a directory; name a file, such as " + file.resolve("manifest.jsonl"), null);
    }
    JournalLock lock = JournalLock.take(file);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileJournal journal = new FileJournal(file, outputRoot, clock, check, referenceSha256, lock, channel);
      journal.mendTail();
      journal.read();
      channel.position(channel.size());
      return journal;
    } catch (IOException | UncheckedIOException | JournalException e) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // already failing
      }
      lock.close();
      if (e instanceof JournalException j) {
        throw j;
      }
      throw new JournalException("cannot open journal " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes the file end on a whole line: a last line that a write never finished is cut off (it was
   * half a line, and would otherwise become a corrupt line in the middle once the next one is
   * appended); a complete last entry with no newline gets one.
   */
  private void mendTail() throws IOException {
    long size = channel.size();
    if (size == 0) {
      return;
    }
    long start = Math.max(0, size - 64 * 1024);
    ByteBuffer tail = ByteBuffer.allocate((int) (size - start));
    channel.read(tail, start);
    byte[] bytes = tail.array();
    if (bytes[bytes.length - 1] == '\n') {
      return;
    }
    int lastNewline = -1;
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        lastNewline = i;
        break;
      }
    }
    if (lastNewline < 0 && start > 0) {
      throw new JournalException(file + ": its last line is over 64 KiB long and has no end: not a journal?", null);
    }
    String last = new String(bytes, lastNewline + 1, bytes.length - lastNewline - 1, StandardCharsets.UTF_8);
    JournalLines.Line parsed;
    try {
      parsed = JournalLines.parse(last);
    } catch (JsonProcessingException e) {
      parsed = null;
    }
    if (parsed != null) {
      channel.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
      return;
    }
    channel.truncate(start + lastNewline + 1);
    log.warn("{}: cut off a torn last line of {} bytes (the previous run stopped mid-write): {}",
        file, size - (start + lastNewline + 1), abbreviate(last));
  }

  private void read() throws IOException {
    channel.position(0);
    BufferedReader in = new BufferedReader(Channels.newReader(channel, StandardCharsets.UTF_8));
    String text;
    long n = 0;
    while ((text = in.readLine()) != null) {
      n++;
      if (text.isBlank()) {
        continue;
      }
      JournalLines.Line line;
      try {
        line = JournalLines.parse(text);
      } catch (JsonEOFException e) {
        // Half a line that an earlier version appended after instead of cutting off: the job it
        // names is recorded by no whole line, so it runs again, as a torn last line's would.
        log.warn("{}:{}: ignoring half a journal line (a run stopped mid-write): {}", file, n, abbreviate(text));
        continue;
      } catch (JsonProcessingException e) {
        line = null;
      }
      if (line == null) {
        throw new JournalException(file + ":" + n + ": corrupt journal line, not a JSON object with an id and a"
            + " status: " + abbreviate(text) + ". Repair or remove that line, or give the run a new journal", null);
      }
      apply(line);
    }
  }

  /** What reading {@code line} tells, the latest line of a job winning. */
  private void apply(JournalLines.Line line) {
    String id = line.id();
    generated.remove(id);
    undelivered.remove(id);
    switch (line.status()) {
      case JournalLines.SUCCEEDED -> index.put(id, outputsUnchanged(line) ? State.SUCCEEDED : State.OUTPUT_CHANGED,
          line.fingerprint());
      case JournalLines.UNDELIVERED -> {
        index.put(id, State.UNDELIVERED, line.fingerprint());
        undelivered.put(id, line.undelivered());
      }
      case JournalLines.GENERATED, JournalLines.FAILED -> {
        Generated answer = line.generated();
        if (answer != null) {
          index.put(id, State.GENERATED, line.fingerprint());
          generated.put(id, answer);
        } else {
          index.put(id, State.FAILED, line.fingerprint());
        }
      }
      default -> index.put(id, State.FAILED, line.fingerprint());
    }
  }

  private boolean outputsUnchanged(JournalLines.Line line) {
    List<String> outputs = line.outputs();
    List<OutputFiles.Seen> seen = line.files();
    for (int i = 0; i < outputs.size(); i++) {
      Path path = outputRoot.resolve(outputs.get(i)).normalize();
      if (!path.startsWith(outputRoot)) {
        return false;
      }
      if (seen == null || i >= seen.size()) {
        if (!Files.isRegularFile(path)) {
          return false; // a line of an older version: existence is all it allows to check
        }
      } else if (!OutputFiles.unchanged(path, seen.get(i), check)) {
        return false;
      }
    }
    return !outputs.isEmpty();
  }

  @Override
  public String name() {
    return file.getFileName().toString();
  }

  @Override
  public long fingerprint(JobPlan plan) {
    return RequestDigest.ofJob(plan.call(), relative(plan.output()), referenceSha256).high();
  }

  @Override
  public synchronized Entry lookup(String jobId, long fingerprint) {
    State state = index.state(jobId);
    if (state == State.UNKNOWN || state == State.FAILED) {
      return Unknown.INSTANCE;
    }
    long recorded = index.request(jobId);
    if (recorded != 0 && recorded != fingerprint) {
      return Changed.INSTANCE;
    }
    return switch (state) {
      case SUCCEEDED -> Done.INSTANCE;
      case OUTPUT_CHANGED -> OutputChanged.INSTANCE;
      case GENERATED -> orUnknown(generated.get(jobId));
      case UNDELIVERED -> orUnknown(undelivered.get(jobId));
      default -> Unknown.INSTANCE;
    };
  }

  private static Entry orUnknown(Entry entry) {
    return entry == null ? Unknown.INSTANCE : entry;
  }

  @Override
  public void generated(JobPlan plan, long fingerprint, ImageGeneration g) {
    byte[] line = JournalLines.generated(plan.job().id(), fingerprint, g, clock.instant());
    synchronized (this) {
      append(line);
      index.put(plan.job().id(), State.GENERATED, fingerprint);
      generated.put(plan.job().id(),
          new Generated(new GeneratedImages(g.outputs(), g.model(), g.creditCost(), g.requestId().orElse(null))));
    }
  }

  @Override
  public void record(long fingerprint, JobResult result, long possiblyBilled) {
    List<Path> outputs = result instanceof JobResult.Succeeded s ? s.outputs()
        : result instanceof JobResult.Failed f ? f.outputs() : List.of();
    List<OutputFiles.Seen> files = new ArrayList<>();
    for (Path p : outputs) {
      files.add(OutputFiles.see(p, check == OutputCheck.SHA256));
    }
    List<String> relative = outputs.stream().map(this::relative).toList();
    String id = result.jobId();
    synchronized (this) {
      Generated answer = generated.get(id);
      List<URI> urls = result instanceof JobResult.Failed && answer != null ? answer.images().urls() : List.of();
      append(JournalLines.result(fingerprint, result, relative, files, urls, possiblyBilled, clock.instant()));
      // What reading these lines back would conclude, so that a pipeline that lives on (a queue
      // worker given the job again) knows it as a rerun would.
      generated.remove(id);
      undelivered.remove(id);
      if (result instanceof JobResult.Succeeded) {
        index.put(id, State.SUCCEEDED, fingerprint);
      } else if (!outputs.isEmpty()) {
        index.put(id, State.UNDELIVERED, fingerprint);
        Map<String, SinkReceipt> receipts = new LinkedHashMap<>();
        ((JobResult.Failed) result).receipts().forEach(r -> receipts.put(r.sink(), r));
        undelivered.put(id, new Undelivered(relative, "", receipts));
      } else if (!urls.isEmpty()) {
        index.put(id, State.GENERATED, fingerprint);
        generated.put(id, answer);
      } else {
        index.put(id, State.FAILED, fingerprint);
      }
    }
  }

  @Override
  public synchronized void reserve(long jobs) {
    index.reserve(jobs);
  }

  private void append(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (IOException e) {
      throw new JournalException("cannot append to journal " + file + ": " + e.getMessage(), e);
    }
  }

  private String relative(Path p) {
    Path abs = p.toAbsolutePath();
    return abs.startsWith(outputRoot) ? outputRoot.relativize(abs).toString().replace('\\', '/') : abs.toString();
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  @Override
  public synchronized void close() {
    try {
      if (channel.isOpen()) {
        channel.force(true);
        channel.close();
      }
    } catch (IOException e) {
      throw new JournalException("cannot close journal " + file + ": " + e.getMessage(), e);
    } finally {
      lock.close();
    }
  }
}

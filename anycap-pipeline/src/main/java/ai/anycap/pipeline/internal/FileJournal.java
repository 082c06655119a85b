package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.JournalException;
import ai.anycap.pipeline.SinkReceipt;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only JSON Lines record of finished jobs, one line each, written as each job ends.
 * Reading it back tells which jobs already succeeded, so a rerun skips them. Lines are never
 * rewritten; a torn last line (the process died mid-write) is ignored and the next line starts
 * on a line of its own.
 */
final class FileJournal implements Journal {

  private static final Logger log = LoggerFactory.getLogger(Journal.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final Path outputRoot;
  private final Clock clock;
  private final Set<String> succeeded;
  private final Map<String, Undelivered> undelivered;
  private final FileChannel channel;
  private boolean needsNewline;

  private FileJournal(
      Path file, Path outputRoot, Clock clock, Set<String> succeeded, Map<String, Undelivered> undelivered,
      boolean needsNewline)
      throws IOException {
    this.file = file;
    this.undelivered = undelivered;
    this.outputRoot = outputRoot;
    this.clock = clock;
    this.succeeded = succeeded;
    this.needsNewline = needsNewline;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    this.channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Reads the journal at {@code file} (which may not exist yet) and opens it for appending. */
  static FileJournal open(Path file, Path outputRoot, Clock clock) {
    Set<String> done = new HashSet<>();
    Map<String, Undelivered> undelivered = new HashMap<>();
    boolean torn = false;
    try {
      if (Files.exists(file)) {
        torn = read(file, done, undelivered);
      }
      return new FileJournal(file, outputRoot, clock, done, undelivered, torn || endsWithoutNewline(file));
    } catch (IOException e) {
      throw new JournalException("cannot open journal " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads succeeded ids into {@code done}; true when the last line was torn. */
  private static boolean read(Path file, Set<String> done, Map<String, Undelivered> undelivered)
      throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      String pendingBad = null;
      long pendingLine = 0;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (pendingBad != null) {
          throw new JournalException(
              file + ":" + pendingLine + ": corrupt journal line (only the last line may be torn): "
                  + abbreviate(pendingBad),
              null);
        }
        if (line.isBlank()) {
          continue;
        }
        JsonNode entry;
        try {
          entry = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
          pendingBad = line;
          pendingLine = n;
          continue;
        }
        if (entry == null || !entry.isObject() || !entry.hasNonNull("id") || !entry.hasNonNull("status")) {
          pendingBad = line;
          pendingLine = n;
          continue;
        }
        String id = entry.get("id").asText();
        String status = entry.get("status").asText();
        if ("succeeded".equals(status)) {
          done.add(id);
          undelivered.remove(id);
        } else if ("undelivered".equals(status)) {
          undelivered.put(id, undelivered(entry));
        } else {
          undelivered.remove(id);
        }
      }
      if (pendingBad != null) {
        log.warn("{}:{}: ignoring a torn last journal line (the previous run stopped mid-write)", file, pendingLine);
        return true;
      }
      return false;
    }
  }

  private static boolean endsWithoutNewline(Path file) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return false;
    }
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      c.read(last, c.size() - 1);
      return last.get(0) != '\n';
    }
  }

  @Override
  public String name() {
    return file.getFileName().toString();
  }

  @Override
  public synchronized boolean succeeded(String jobId) {
    return succeeded.contains(jobId);
  }

  /** What an {@code undelivered} line recorded: the files, the model and the sinks that had it. */
  private static Undelivered undelivered(JsonNode entry) {
    List<String> outputs = new ArrayList<>();
    entry.path("outputs").forEach(o -> outputs.add(o.asText()));
    Map<String, SinkReceipt> receipts = new LinkedHashMap<>();
    entry.path("sinks").fields().forEachRemaining(e -> {
      Map<String, String> attributes = new LinkedHashMap<>();
      e.getValue().path("attributes").fields().forEachRemaining(a -> attributes.put(a.getKey(), a.getValue().asText()));
      receipts.put(e.getKey(), new SinkReceipt(e.getKey(), e.getValue().path("location").asText(), attributes));
    });
    return new Undelivered(outputs, entry.path("model").asText(""), receipts);
  }

  @Override
  public synchronized Undelivered undelivered(String jobId) {
    return undelivered.get(jobId);
  }

  @Override
  public void record(JobResult result) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", result.jobId());
    if (result instanceof JobResult.Succeeded s) {
      o.put("status", "succeeded");
      var outputs = o.putArray("outputs");
      s.outputs().forEach(p -> outputs.add(relative(p)));
      o.put("model", s.model());
      if (s.requestId() != null) {
        o.put("request_id", s.requestId());
      }
      if (s.duplicateOf() != null) {
        o.put("duplicate_of", s.duplicateOf());
      }
      receipts(o, s.receipts());
    } else if (result instanceof JobResult.Failed f) {
      boolean kept = !f.outputs().isEmpty();
      o.put("status", kept ? "undelivered" : "failed");
      o.put("error_code", f.errorCode());
      o.put("error", f.message());
      if (kept) {
        var outputs = o.putArray("outputs");
        f.outputs().forEach(p -> outputs.add(relative(p)));
        receipts(o, f.receipts());
      }
    } else {
      return;
    }
    o.put("credits", result.credits());
    o.put("attempts", result.attempts());
    o.put("duration_ms", result.duration().toMillis());
    o.put("at", clock.instant().toString());
    byte[] line;
    try {
      line = (MAPPER.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    synchronized (this) {
      try {
        if (needsNewline) {
          write(new byte[] {'\n'});
          needsNewline = false;
        }
        write(line);
      } catch (IOException e) {
        throw new JournalException("cannot append to journal " + file + ": " + e.getMessage(), e);
      }
      // What reading this line back would conclude, so that a pipeline that lives on (a queue
      // worker given the job again) knows it as a rerun would.
      if (result instanceof JobResult.Succeeded) {
        succeeded.add(result.jobId());
        undelivered.remove(result.jobId());
      } else if (o.path("status").asText().equals("undelivered")) {
        undelivered.put(result.jobId(), undelivered(o));
      } else {
        undelivered.remove(result.jobId());
      }
    }
  }

  private static void receipts(ObjectNode o, List<SinkReceipt> receipts) {
    if (receipts.isEmpty()) {
      return;
    }
    ObjectNode sinks = o.putObject("sinks");
    for (SinkReceipt r : receipts) {
      ObjectNode n = sinks.putObject(r.sink());
      n.put("location", r.location());
      if (!r.attributes().isEmpty()) {
        ObjectNode a = n.putObject("attributes");
        r.attributes().forEach(a::put);
      }
    }
  }

  private void write(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
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
    }
  }
}

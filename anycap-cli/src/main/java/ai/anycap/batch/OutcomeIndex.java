package ai.anycap.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds how each job of this run ended without holding the jobs: a compact index from a 64-bit
 * hash of the job id to where its line is, in the manifest (the lines this run appended) or in the
 * run's record of skipped jobs. Two {@code long}s a job, sorted by hash and looked up by binary
 * search; the lines themselves stay on disk and are read back one at a time. For 100,000 jobs that
 * is 1.6 MB, where the results themselves took hundreds.
 *
 * <p>A job's last line wins. A {@code generated} line (an answer, written before its download) is
 * followed by the job's final line in all but a run whose journal stopped being written; such
 * lines are kept aside while the manifest is read and indexed only if nothing followed them, so
 * they cost nothing in the usual case. Ids are verified when their line is read back, so a hash
 * collision (about 3 in 10^10 at 100,000 jobs) shows a job as not recorded, never as another's.
 */
final class OutcomeIndex implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();
  /** Marks a reference into the manifest; without it, into the skip record. Manifest lines win. */
  private static final long MANIFEST = 1L << 62;
  private static final long OFFSET = MANIFEST - 1;

  private long[] hashes;
  private long[] refs;
  private int size;
  private long[] taken;
  private final FileChannel manifest;
  private final FileChannel skips;
  private ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);

  private OutcomeIndex(int capacity, FileChannel manifest, FileChannel skips) {
    this.hashes = new long[Math.max(16, capacity)];
    this.refs = new long[hashes.length];
    this.manifest = manifest;
    this.skips = skips;
  }

  /**
   * Indexes the manifest's lines from {@code manifestFrom} on, and the skip record.
   *
   * @param manifest the journal, or null when the run had none
   * @param manifestFrom where this run's lines start (its size when the run opened it)
   * @param skips the run's record of skipped jobs
   * @param expected about how many jobs the run had, to size the index once
   */
  static OutcomeIndex build(Path manifest, long manifestFrom, Path skips, long expected) {
    FileChannel m = null;
    FileChannel s = null;
    try {
      if (manifest != null && Files.isRegularFile(manifest)) {
        m = FileChannel.open(manifest, StandardOpenOption.READ);
      }
      s = FileChannel.open(skips, StandardOpenOption.READ);
      OutcomeIndex index = new OutcomeIndex((int) Math.min(Integer.MAX_VALUE - 8, expected + 16), m, s);
      if (m != null) {
        index.scan(m, manifestFrom, true);
      }
      index.scan(s, 0, false);
      index.sort();
      return index;
    } catch (IOException | RuntimeException e) {
      closeQuietly(m);
      closeQuietly(s);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot read " + (manifest != null ? manifest : skips) + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * How the job with this id ended in this run, or null when nothing records it. Each line is
   * handed out once: a second job of the source with the same id (refused, or skipped as invalid)
   * gets the next line of that id, if any.
   */
  JobOutcome take(String id) {
    long hash = hash(id);
    int at = Arrays.binarySearch(hashes, 0, size, hash);
    if (at < 0) {
      return null;
    }
    int from = at;
    while (from > 0 && hashes[from - 1] == hash) {
      from--;
    }
    int to = at;
    while (to + 1 < size && hashes[to + 1] == hash) {
      to++;
    }
    // Sorted by reference within a hash: the last line of the manifest comes last.
    for (int i = to; i >= from; i--) {
      if (isTaken(i)) {
        continue;
      }
      boolean inManifest = (refs[i] & MANIFEST) != 0;
      for (int j = from; j <= to; j++) {
        if (((refs[j] & MANIFEST) != 0) == inManifest) {
          markTaken(j);
        }
      }
      JsonNode line = read(inManifest ? manifest : skips, refs[i] & OFFSET);
      if (line == null || !id.equals(line.path("id").asText())) {
        return null;
      }
      return inManifest ? JobOutcome.ofManifestLine(line) : JobOutcome.ofSkipLine(line);
    }
    return null;
  }

  /** Lines indexed. */
  int size() {
    return size;
  }

  @Override
  public void close() {
    closeQuietly(manifest);
    closeQuietly(skips);
  }

  private void scan(FileChannel channel, long from, boolean isManifest) throws IOException {
    Map<String, Long> unanswered = new LinkedHashMap<>(); // generated lines not yet followed by their job's end
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    long position = from;
    long start = from;
    int n;
    while ((n = channel.read(chunk.clear(), position)) > 0) {
      byte[] bytes = chunk.array();
      int lineStart = 0;
      for (int i = 0; i < n; i++) {
        if (bytes[i] != '\n') {
          continue;
        }
        line.write(bytes, lineStart, i - lineStart);
        index(line.toByteArray(), isManifest ? MANIFEST | start : start, isManifest, unanswered);
        line.reset();
        lineStart = i + 1;
        start = position + i + 1;
      }
      line.write(bytes, lineStart, n - lineStart);
      position += n;
    }
    unanswered.forEach((id, ref) -> add(hash(id), ref));
  }

  private void index(byte[] line, long ref, boolean isManifest, Map<String, Long> unanswered) {
    String[] idStatus = idAndStatus(line);
    if (idStatus == null) {
      return;
    }
    if (isManifest && "generated".equals(idStatus[1])) {
      unanswered.put(idStatus[0], ref);
    } else {
      unanswered.remove(idStatus[0]);
      add(hash(idStatus[0]), ref);
    }
  }

  /** The top-level {@code id} and {@code status} of a JSON line, or null for a line without them. */
  private static String[] idAndStatus(byte[] line) {
    if (line.length == 0) {
      return null;
    }
    String id = null;
    String status = null;
    try (JsonParser p = FACTORY.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME && (id == null || status == null)) {
        String name = p.getCurrentName();
        JsonToken value = p.nextToken();
        if (name.equals("id") && value == JsonToken.VALUE_STRING) {
          id = p.getText();
        } else if (name.equals("status") && value == JsonToken.VALUE_STRING) {
          status = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      return null; // a torn or foreign line: the pipeline reports those itself
    }
    return id == null ? null : new String[] {id, status == null ? "" : status};
  }

  private void add(long hash, long ref) {
    if (size == hashes.length) {
      int grown = hashes.length + (hashes.length >> 1);
      hashes = Arrays.copyOf(hashes, grown);
      refs = Arrays.copyOf(refs, grown);
    }
    hashes[size] = hash;
    refs[size] = ref;
    size++;
  }

  /** Heap sort of the pairs by hash, then reference: in place, so the index never needs twice its size. */
  private void sort() {
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i, size);
    }
    for (int end = size - 1; end > 0; end--) {
      swap(0, end);
      siftDown(0, end);
    }
    taken = new long[(size + 63) / 64];
  }

  private void siftDown(int i, int end) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= end) {
        return;
      }
      if (child + 1 < end && less(child, child + 1)) {
        child++;
      }
      if (!less(i, child)) {
        return;
      }
      swap(i, child);
      i = child;
    }
  }

  private boolean less(int a, int b) {
    return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : refs[a] < refs[b];
  }

  private void swap(int a, int b) {
    long h = hashes[a];
    hashes[a] = hashes[b];
    hashes[b] = h;
    long r = refs[a];
    refs[a] = refs[b];
    refs[b] = r;
  }

  private boolean isTaken(int i) {
    return (taken[i >>> 6] & (1L << i)) != 0;
  }

  private void markTaken(int i) {
    taken[i >>> 6] |= 1L << i;
  }

  /** The JSON line starting at {@code offset}, or null when it does not parse. */
  private JsonNode read(FileChannel channel, long offset) {
    try {
      int length = 0;
      while (true) {
        buffer.limit(buffer.capacity()).position(length);
        int n = channel.read(buffer, offset + length);
        int end = -1;
        for (int i = length; i < length + Math.max(n, 0); i++) {
          if (buffer.get(i) == '\n') {
            end = i;
            break;
          }
        }
        if (n > 0) {
          length += n;
        }
        if (end >= 0 || n <= 0) {
          int len = end >= 0 ? end : length;
          return JSON.readTree(buffer.array(), 0, len);
        }
        if (length == buffer.capacity()) {
          buffer = ByteBuffer.allocate(buffer.capacity() * 2); // a long line; rare, and kept for the next
          length = 0;
        }
      }
    } catch (IOException e) {
      return null;
    }
  }

  /** A 64-bit hash of the id (FNV-1a over its characters, then a final mix). */
  static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  private static void closeQuietly(FileChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // read-only: nothing to lose
    }
  }
}

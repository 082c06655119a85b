package ai.anycap.bench;

import ai.anycap.batch.AnyCapBatch;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The child JVM of the CLI memory row: {@code anycap-batch} itself ({@link AnyCapBatch#main}, the
 * command a user types, in this JVM), watched from the side. The CLI prints a plain progress line
 * when the batch starts and at each tenth of it (its output is not a terminal); at each tenth, this
 * prints the smallest heap left after a GC the JVM chose since the last ({@link LiveHeap}; the first
 * stretch starts with the batch, after the checks), then runs a full collection and prints the heap
 * left after it (the live set, the goal's figure); on exit (after the gallery and the summary) the
 * same for the stretch after the last tenth, then its figures. The full collection runs on the
 * thread that writes the progress line, while the batch goes on.
 *
 * <p>Arguments: the CLI's own.
 */
public final class CliMemoryRun {

  private static final Pattern PROGRESS = Pattern.compile("^(?:\\[simulated\\] )?progress (\\d+)/(\\d+) ");

  private CliMemoryRun() {}

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    LiveHeap heap = LiveHeap.watch();
    PrintStream out = System.out;
    long[] lastTenth = {-1};
    System.setErr(new PrintStream(new LineTee(System.err, line -> {
      Matcher m = PROGRESS.matcher(line);
      if (!m.find()) {
        return;
      }
      long done = Long.parseLong(m.group(1));
      long total = Long.parseLong(m.group(2));
      if (done == 0 && lastTenth[0] < 0) {
        // The batch starts: the first stretch is its first tenth, not the checks before it, whose
        // heap is smaller (the run's own structures do not exist yet).
        heap.takeKib();
        lastTenth[0] = 0;
      } else if (done > 0 && total > 0 && done * 10 % total == 0 && done != lastTenth[0]) {
        lastTenth[0] = done;
        long smallest = heap.takeKib(); // before the full collection, which it must not see
        out.println("PROGRESS finished=" + done + " liveHeapKib=" + smallest + " collectedKib=" + heap.collectKib());
        out.flush();
      }
    }), true, StandardCharsets.UTF_8));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("afterLastTenthLiveHeapKib", heap.takeKib());
      figures.put("afterLastTenthCollectedKib", heap.collectKib());
      figures.put("wallMs", (System.nanoTime() - t0) / 1_000_000);
      figures.putAll(MemoryRun.jvmFigures());
      figures.put("vmHwmKib", Machine.peakRssKib());
      ChildJvm.printResult(figures);
    }, "anycap-bench-figures"));
    AnyCapBatch.main(args);
  }

  /** Passes bytes on, and hands each complete line to a listener. */
  private static final class LineTee extends OutputStream {
    private final OutputStream to;
    private final java.util.function.Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineTee(OutputStream to, java.util.function.Consumer<String> lines) {
      this.to = to;
      this.lines = lines;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      to.write(b);
      see(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
      to.write(b, off, len);
      for (int i = off; i < off + len; i++) {
        see(b[i]);
      }
    }

    private void see(int b) {
      if (b == '\n') {
        lines.accept(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }

    @Override
    public void flush() throws java.io.IOException {
      to.flush();
    }
  }
}

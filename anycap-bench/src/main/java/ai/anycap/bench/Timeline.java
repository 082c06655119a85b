package ai.anycap.bench;

import ai.anycap.client.ExchangeListener;
import ai.anycap.client.ExchangeRequest;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.ImageJob;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a Little's-law batch spent its time, to tell what keeps it from C/L: the client's view of
 * each generate (sent to answered) and download, each job from its start to its file on disk, and
 * the time before the first generate and after the last answer. The calls' idle share is what the
 * batch left unused of C generates in flight over its wall time; the rest of the shortfall is time
 * each generate took beyond L. Retries are counted by their cause, since under load a transport
 * failure can cost a backoff of a second or more.
 */
final class Timeline implements ExchangeListener, PipelineListener {

  private final Samples downloads = new Samples();
  private final Samples jobs = new Samples();
  /** Each generate's send and answer, for where the calls' places stood idle. */
  private final Spans spans = new Spans();
  private volatile long firstGenerate = Long.MAX_VALUE;
  private volatile long lastAnswer;
  private final Map<String, Integer> retries = new TreeMap<>();

  @Override
  public Exchange onRequest(ExchangeRequest request) {
    long t0 = System.nanoTime();
    boolean download = request.endpoint().equals(ExchangeRequest.DOWNLOAD);
    boolean generate = request.endpoint().endsWith("/generate");
    if (generate && t0 < firstGenerate) {
      synchronized (this) {
        firstGenerate = Math.min(firstGenerate, t0);
      }
    }
    if (!download && !generate) {
      return Exchange.IGNORED;
    }
    return result -> {
      long t1 = System.nanoTime();
      if (download) {
        downloads.add(t1 - t0);
      } else {
        spans.add(t0, t1);
        synchronized (this) {
          lastAnswer = Math.max(lastAnswer, t1);
        }
      }
    };
  }

  @Override
  public void onRetryScheduled(ImageJob job, int attempt, Duration delay, Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    String what = cause.getClass().getSimpleName() + ": " + (message.length() > 80 ? message.substring(0, 80) : message);
    synchronized (retries) {
      retries.merge(what, 1, Integer::sum);
    }
  }

  @Override
  public void onJobFinished(JobResult result) {
    if (result instanceof JobResult.Succeeded s) {
      jobs.add(s.duration().toNanos());
    }
  }

  /**
   * "generate mean 512 ms (p50 .., p99 ..), download mean .., job mean ..; first generate after ..
   * s, batch end .. s after the last answer; places idle 3.1% (the opening's share, the end's, and
   * between calls)".
   */
  String describe(int concurrency, long batchStarted, long batchEnded) {
    String retried;
    synchronized (retries) {
      retried = retries.isEmpty() ? "" : "; retries by cause: " + retries;
    }
    return String.format(Locale.ROOT,
        "client's view: generate %s, download %s, job %s; first generate %.2f s after the batch began,"
            + " its end %.2f s after the last answer; no generate in flight in %s%s",
        spans.durations().describe(), downloads.describe(), jobs.describe(),
        (firstGenerate - batchStarted) / 1e9, (batchEnded - lastAnswer) / 1e9,
        spans.idle(concurrency, batchStarted, batchEnded), retried);
  }

  /** Generates' sends and answers, in nanoseconds, from any thread. */
  private static final class Spans {
    private long[] sent = new long[1024];
    private long[] answered = new long[1024];
    private int count;

    /** How long each generate took, sent to answered. */
    synchronized Samples durations() {
      Samples d = new Samples();
      for (int i = 0; i < count; i++) {
        d.add(answered[i] - sent[i]);
      }
      return d;
    }

    synchronized void add(long t0, long t1) {
      if (count == sent.length) {
        sent = Arrays.copyOf(sent, count * 2);
        answered = Arrays.copyOf(answered, count * 2);
      }
      sent[count] = t0;
      answered[count++] = t1;
    }

    /**
     * The places' idle time between {@code from} and {@code to}, in all and split three ways: until C calls were
     * first in flight at once (the opening), after the last call was sent (the batch's end: no job
     * is left to fill a place), and in between (a place's call answered, the next not yet sent).
     */
    synchronized String idle(int concurrency, long from, long to) {
      if (count == 0) {
        return "all of the places (no generate was sent)";
      }
      long[][] events = new long[2 * count][];
      for (int i = 0; i < count; i++) {
        events[2 * i] = new long[] {sent[i], 1};
        events[2 * i + 1] = new long[] {answered[i], -1};
      }
      Arrays.sort(events, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
      long full = to;
      int inFlight = 0;
      for (long[] e : events) {
        inFlight += (int) e[1];
        if (inFlight >= concurrency) {
          full = e[0];
          break;
        }
      }
      long lastSent = Arrays.stream(sent, 0, count).max().orElse(to);
      double all = idleBetween(concurrency, from, to);
      double opening = idleBetween(concurrency, from, Math.min(full, lastSent));
      double end = idleBetween(concurrency, Math.max(full, lastSent), to);
      double between = all - opening - end;
      double places = (double) concurrency * (to - from);
      return String.format(Locale.ROOT,
          "%.1f%% of the C calls' places over the wall time (%.1f%% until %d calls were first in flight,"
              + " %.2f s in; %.1f%% after the last call was sent, the last %.2f s; %.1f%% in between, %.1f ms"
              + " a call)",
          100 * all / places, 100 * opening / places, concurrency, (full - from) / 1e9,
          100 * end / places, (to - lastSent) / 1e9,
          100 * between / places, between / 1e6 / count);
    }

    /** Place-nanoseconds with no generate in flight between {@code a} and {@code b}. */
    private double idleBetween(int concurrency, long a, long b) {
      if (b <= a) {
        return 0;
      }
      double busy = 0;
      for (int i = 0; i < count; i++) {
        busy += Math.max(0, Math.min(answered[i], b) - Math.max(sent[i], a));
      }
      return (double) concurrency * (b - a) - busy;
    }
  }

  /** Durations in nanoseconds, from any thread. */
  private static final class Samples {
    private long[] nanos = new long[1024];
    private int count;

    synchronized void add(long n) {
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, count * 2);
      }
      nanos[count++] = n;
    }

    synchronized long sumNanos() {
      long sum = 0;
      for (int i = 0; i < count; i++) {
        sum += nanos[i];
      }
      return sum;
    }

    synchronized String describe() {
      if (count == 0) {
        return "none";
      }
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      return String.format(Locale.ROOT, "mean %.0f ms (p50 %.0f, p99 %.0f)", sumNanos() / 1e6 / count,
          sorted[count / 2] / 1e6, sorted[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)] / 1e6);
    }
  }
}

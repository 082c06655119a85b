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

  private final Samples generates = new Samples();
  private final Samples downloads = new Samples();
  private final Samples jobs = new Samples();
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
      (download ? downloads : generates).add(t1 - t0);
      if (generate) {
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
   * s, batch end .. s after the last answer; slots idle 3.1%".
   */
  String describe(int concurrency, double wallSeconds, long batchStarted, long batchEnded) {
    double busy = generates.sumNanos() / 1e9;
    String retried;
    synchronized (retries) {
      retried = retries.isEmpty() ? "" : "; retries by cause: " + retries;
    }
    return String.format(Locale.ROOT,
        "client's view: generate %s, download %s, job %s; first generate %.2f s after the batch began,"
            + " its end %.2f s after the last answer; no generate in flight in %.1f%% of the C calls'"
            + " places over the wall time%s",
        generates.describe(), downloads.describe(), jobs.describe(),
        (firstGenerate - batchStarted) / 1e9, (batchEnded - lastAnswer) / 1e9,
        100 * (1 - busy / (concurrency * wallSeconds)), retried);
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

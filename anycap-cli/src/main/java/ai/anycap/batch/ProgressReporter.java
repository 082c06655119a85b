package ai.anycap.batch;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.pipeline.RequestPace;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a batch's progress: done / total, rate, ETA, retries and the current concurrency. On a
 * terminal, a progress bar redrawn in place; otherwise (a log, a CI job, a pipe) a plain line at
 * every tenth of the batch and at least every {@link #PLAIN_INTERVAL}, plus one line per failure
 * and per change of pace, so that a log tells the story without control characters.
 *
 * <p>The pipeline calls listeners on one thread; a timer thread adds the periodic lines, so every
 * method is synchronized.
 */
final class ProgressReporter implements PipelineListener, AutoCloseable {

  static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

  private final Console console;
  private final boolean terminal;
  private final ScheduledExecutorService ticker;

  private ProgressBar bar;
  private long total = -1;
  private long done;
  private long succeeded;
  private long failed;
  private long skipped;
  private long retries;
  /** The pipeline's own count of jobs holding a permit: never more than the concurrency. */
  private IntSupplier inFlight = () -> 0;
  private final int concurrency;
  private RequestPace pace = new RequestPace(Double.POSITIVE_INFINITY, Duration.ZERO);
  private long startNanos = System.nanoTime();
  private long lastLineNanos;
  private long lastTenth = -1;
  private boolean finished;

  ProgressReporter(Console console, boolean terminal, int concurrency) {
    this.console = console;
    this.terminal = terminal;
    this.concurrency = concurrency;
    if (terminal) {
      ticker = null;
    } else {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "anycap-batch-progress");
        t.setDaemon(true);
        return t;
      });
      long ms = PLAIN_INTERVAL.toMillis();
      ticker.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void onBatchStarted(OptionalLong totalJobs) {
    total = totalJobs.orElse(-1);
    startNanos = System.nanoTime();
    if (terminal) {
      bar = new ProgressBarBuilder()
          .setTaskName(console.simulated() ? "[simulated]" : "images")
          .setInitialMax(total)
          .setStyle(System.getProperty("os.name", "").startsWith("Windows") ? ProgressBarStyle.ASCII
              : ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
          .setUpdateIntervalMillis(200)
          .showSpeed(new java.text.DecimalFormat("0.0"))
          .setSpeedUnit(ChronoUnit.SECONDS)
          .setUnit(" img", 1)
          .setMaxRenderedLength(120)
          .continuousUpdate()
          .build();
      updateBar();
    } else {
      line();
    }
  }

  /** Where the jobs in flight are counted: {@link ai.anycap.pipeline.ImagePipeline#inFlight()}, once it is built. */
  synchronized void inFlightFrom(IntSupplier inFlight) {
    this.inFlight = inFlight;
  }

  @Override
  public synchronized void onRetryScheduled(ImageJob job, int attempt, Duration delay, Throwable cause) {
    retries++;
    updateBar();
  }

  @Override
  public synchronized void onPaceChanged(RequestPace newPace) {
    boolean slower = newPace.requestsPerSecond() < pace.requestsPerSecond() * 0.99;
    pace = newPace;
    if (!terminal && (slower || newPace.paused())) {
      // Before a pace is learned the first 429s only pause: there is no rate to tell yet.
      String rate = newPace.limited()
          ? String.format(Locale.ROOT, ", now %.1f requests/s", newPace.requestsPerSecond()) : "";
      console.err("slowing down: the API is rate limiting" + rate
          + (newPace.paused() ? ", pausing " + seconds(newPace.pause()) : ""));
    }
    updateBar();
  }

  @Override
  public synchronized void onJobFinished(JobResult result) {
    done++;
    if (result instanceof JobResult.Succeeded) {
      succeeded++;
    } else if (result instanceof JobResult.Failed f) {
      failed++;
      if (!terminal) {
        console.err("FAILED " + f.jobId() + " [" + f.errorCode() + "] after " + f.attempts()
            + (f.attempts() == 1 ? " attempt: " : " attempts: ") + ErrorText.withoutCode(f.errorCode(), f.message()));
      }
    } else {
      skipped++;
    }
    if (terminal) {
      updateBar();
    } else if (total > 0) {
      long tenth = done * 10 / total;
      if (tenth != lastTenth) {
        lastTenth = tenth;
        line();
      }
    }
  }

  @Override
  public synchronized void onBatchFinished(BatchReport report) {
    finish();
  }

  /** Stops the bar or the timer; the summary comes next. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (bar != null) {
      updateBar();
      bar.close();
    }
    if (ticker != null) {
      ticker.shutdownNow();
    }
    inFlight = () -> 0; // lets the closed pipeline, and its journal's index, be collected before the gallery
  }

  @Override
  public void close() {
    finish();
  }

  private synchronized void tick() {
    if (!finished && System.nanoTime() - lastLineNanos >= PLAIN_INTERVAL.toNanos() - 50_000_000L) {
      line();
    }
  }

  private void updateBar() {
    if (bar == null) {
      return;
    }
    bar.stepTo(done);
    // Short: the bar gets what the terminal's width leaves.
    StringBuilder extra = new StringBuilder(" ");
    if (failed > 0) {
      extra.append("failed ").append(failed).append(", ");
    }
    if (skipped > 0) {
      extra.append("skipped ").append(skipped).append(", ");
    }
    extra.append("retries ").append(retries).append(", ").append(paceText());
    bar.setExtraMessage(extra.toString());
  }

  /** One plain progress line. */
  private void line() {
    lastLineNanos = System.nanoTime();
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    double rate = elapsed > 0 ? succeeded / elapsed : 0;
    StringBuilder s = new StringBuilder("progress ").append(done);
    if (total >= 0) {
      s.append('/').append(total).append(String.format(Locale.ROOT, " (%d%%)", total == 0 ? 100 : done * 100 / total));
    }
    s.append(String.format(Locale.ROOT, ": %d ok, %d failed, %d skipped; %.1f images/s", succeeded, failed, skipped, rate));
    if (total > done && done > 0 && elapsed > 0) {
      double eta = (total - done) / (done / elapsed);
      s.append(", ETA ").append(seconds(Duration.ofMillis((long) (eta * 1000))));
    }
    s.append("; retries ").append(retries).append("; ").append(paceText())
        .append(" (in flight ").append(inFlight.getAsInt()).append(')');
    console.err(s.toString());
  }

  /** The limit that binds now: the learned pace once the API has rate limited, else the concurrency. */
  private String paceText() {
    return pace.limited()
        ? String.format(Locale.ROOT, "pace %.1f/s", pace.requestsPerSecond())
        : "concurrency " + concurrency;
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }
}

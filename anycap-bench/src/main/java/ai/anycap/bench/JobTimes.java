package ai.anycap.bench;

import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import java.util.Arrays;
import java.util.Locale;

/**
 * Collects how long each succeeded job took, from its first request to its file on disk, to tell
 * time spent per job from time spent between jobs. Events arrive on one pipeline thread.
 */
final class JobTimes implements PipelineListener {

  private long[] millis = new long[1024];
  private int count;

  @Override
  public synchronized void onJobFinished(JobResult result) {
    if (result instanceof JobResult.Succeeded s) {
      if (count == millis.length) {
        millis = Arrays.copyOf(millis, count * 2);
      }
      millis[count++] = s.duration().toMillis();
    }
  }

  /** "job time mean 512 ms, p50 505, p99 560, max 700", or "" when none finished. */
  synchronized String describe() {
    if (count == 0) {
      return "";
    }
    long[] sorted = Arrays.copyOf(millis, count);
    Arrays.sort(sorted);
    double mean = Arrays.stream(sorted).average().orElse(0);
    return String.format(Locale.ROOT, "job time mean %.0f ms, p50 %d, p99 %d, max %d",
        mean, sorted[count / 2], sorted[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)], sorted[count - 1]);
  }
}

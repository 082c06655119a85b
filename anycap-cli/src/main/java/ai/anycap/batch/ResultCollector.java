package ai.anycap.batch;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps every job's result for the gallery and the summary (the report keeps only the first
 * hundred failures).
 */
final class ResultCollector implements PipelineListener {

  private final Map<String, JobResult> byId = new LinkedHashMap<>();
  private BatchReport report;

  @Override
  public synchronized void onJobFinished(JobResult result) {
    byId.put(result.jobId(), result);
  }

  @Override
  public synchronized void onBatchFinished(BatchReport report) {
    this.report = report;
  }

  /** The report the batch ended with, or null before it ended. */
  synchronized BatchReport report() {
    return report;
  }

  /** Results by job id, in the order they finished. */
  synchronized Map<String, JobResult> results() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(byId));
  }

  /** Every failure, in the order they happened. */
  synchronized List<JobResult.Failed> failures() {
    List<JobResult.Failed> f = new ArrayList<>();
    for (JobResult r : byId.values()) {
      if (r instanceof JobResult.Failed failed) {
        f.add(failed);
      }
    }
    return f;
  }
}

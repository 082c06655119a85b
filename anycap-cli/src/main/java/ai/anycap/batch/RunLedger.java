package ai.anycap.batch;

import ai.anycap.client.PriceTable;
import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.PipelineListener;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the CLI keeps of a run while it goes: counters, not results, so that its memory does not grow
 * with the batch. The pipeline's {@link BatchReport} carries the counts and the first failures;
 * this adds what the summary says of copies (rows that share a request with an earlier row), and
 * writes each skipped job to a file of its own, since the manifest records only the jobs that ran
 * and the gallery shows every job with its reason. The gallery reads the rest from the manifest.
 *
 * <p>The pipeline calls listeners on one thread, so the counters need no lock; the methods read
 * after the run are synchronized only to see the last writes.
 */
final class RunLedger implements PipelineListener, AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PriceTable prices;
  private final Path skips;
  private final BufferedWriter skipWriter;
  private BatchReport report;
  private long copies;
  private BigDecimal copiesUsd = BigDecimal.ZERO;
  private IOException skipFailure;

  private RunLedger(PriceTable prices, Path skips, BufferedWriter skipWriter) {
    this.prices = prices;
    this.skips = skips;
    this.skipWriter = skipWriter;
  }

  /**
   * A ledger whose skip record is a temporary file, deleted on {@link #close()}.
   *
   * @param prices what a copy would have cost, for the savings the summary shows
   */
  static RunLedger create(PriceTable prices) {
    try {
      Path file = Files.createTempFile("anycap-batch-skipped-", ".jsonl");
      return new RunLedger(prices, file, Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file for the run's skipped jobs: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void onJobFinished(JobResult result) {
    if (result instanceof JobResult.Skipped s) {
      recordSkip(s);
    } else if (result instanceof JobResult.Succeeded s && s.duplicateOf() != null) {
      copies++;
      copiesUsd = copiesUsd.add(prices.usdPerImage(s.model()).orElse(BigDecimal.ZERO));
    }
  }

  @Override
  public synchronized void onBatchFinished(BatchReport report) {
    this.report = report;
  }

  private void recordSkip(JobResult.Skipped s) {
    if (skipFailure != null) {
      return;
    }
    ObjectNode line = JSON.createObjectNode()
        .put("id", s.jobId())
        .put("reason", s.reason().name())
        .put("message", s.message())
        .put("position", s.position().toString());
    try {
      skipWriter.write(JSON.writeValueAsString(line));
      skipWriter.write('\n');
    } catch (IOException e) {
      skipFailure = e; // the gallery then shows these jobs as not recorded; the summary counts them all the same
    }
  }

  /** The report the batch ended with, or null before it ended. */
  synchronized BatchReport report() {
    return report;
  }

  /** Rows whose image was copied from an earlier row with the same request, instead of generated. */
  synchronized long copies() {
    return copies;
  }

  /** What the copies would have cost at the price table's prices (0 for models it cannot price). */
  synchronized BigDecimal copiesUsd() {
    return copiesUsd;
  }

  /** The record of skipped jobs, one JSON line each, flushed; read it once the run has ended. */
  synchronized Path skips() {
    try {
      skipWriter.flush();
    } catch (IOException e) {
      skipFailure = e;
    }
    return skips;
  }

  @Override
  public synchronized void close() {
    try {
      skipWriter.close();
    } catch (IOException e) {
      // deleting it next is all that matters
    }
    try {
      Files.deleteIfExists(skips);
    } catch (IOException e) {
      // a temporary file left behind; the system's cleaner removes it
    }
  }
}

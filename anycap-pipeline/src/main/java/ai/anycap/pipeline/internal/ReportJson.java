package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.JobResult;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a {@link BatchReport} as JSON. */
public final class ReportJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportJson() {}

  public static String write(BatchReport r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("total", r.total());
    o.put("succeeded", r.succeeded());
    o.put("failed", r.failed());
    o.put("skipped", r.skipped());
    ObjectNode skipped = o.putObject("skipped_by_reason");
    r.skippedByReason().forEach((k, v) -> skipped.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
    o.put("images_generated", r.imagesGenerated());
    o.put("retries", r.retries());
    o.put("credits", r.credits());
    o.put("estimated_cost_usd", r.estimatedCostUsd());
    ObjectNode uncertain = o.putObject("possibly_billed");
    uncertain.put("attempts", r.possiblyBilled().attempts());
    uncertain.put("credits", r.possiblyBilled().credits());
    uncertain.put("usd", r.possiblyBilled().usd());
    BatchReport.Resumption rs = r.resumption();
    ObjectNode resumption = o.putObject("resumption");
    resumption.put("changed", rs.changed());
    resumption.put("outputs_remade", rs.outputsRemade());
    resumption.put("downloads_resumed", rs.downloadsResumed());
    resumption.put("answers_expired", rs.answersExpired());
    resumption.put("temp_files_removed", rs.tempFilesRemoved());
    o.put("wall_time_ms", r.wallTime().toMillis());
    o.put("images_per_second", Math.round(r.imagesPerSecond() * 100) / 100.0);
    r.haltReason().ifPresent(h -> o.put("halt_reason", h));
    o.put("cancelled", r.cancelled());
    ArrayNode failures = o.putArray("failures");
    for (JobResult.Failed f : r.failures()) {
      ObjectNode n = failures.addObject();
      n.put("id", f.jobId());
      n.put("error_code", f.errorCode());
      n.put("message", f.message());
      n.put("attempts", f.attempts());
      n.put("credits", f.credits());
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

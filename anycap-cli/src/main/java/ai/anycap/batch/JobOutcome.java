package ai.anycap.batch;

import ai.anycap.pipeline.SkipReason;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one job of this run ended, as the gallery reads it back from disk: from its last manifest
 * line (the pipeline's journal: {@code succeeded}, {@code failed}, {@code undelivered}, or a
 * {@code generated} answer that never got its download) or from the CLI's record of the jobs the
 * run skipped, which the manifest does not hold.
 *
 * @param status what became of the job
 * @param jobId the id the line names
 * @param skipReason why it was skipped, for {@link Status#SKIPPED}; else null
 * @param errorCode the error code of a failure, else null
 * @param message the failure's or the skip's explanation, else null
 * @param outputs the files written, relative to the output directory (or absolute outside it)
 * @param model the model that answered, or empty
 * @param attempts generate attempts
 * @param durationMillis time the job took
 * @param credits credits spent on it
 * @param possiblyBilled attempts that may have been billed without an answer
 * @param duplicateOf the job whose image this one copied, or null
 * @param sinks where each sink delivered the image, by sink name
 */
record JobOutcome(
    Status status,
    String jobId,
    SkipReason skipReason,
    String errorCode,
    String message,
    List<String> outputs,
    String model,
    int attempts,
    long durationMillis,
    BigDecimal credits,
    long possiblyBilled,
    String duplicateOf,
    Map<String, String> sinks) {

  /** What became of a job. */
  enum Status {
    /** The image is in place. */
    SUCCEEDED,
    /** No image, or the image but not every delivery ({@code undelivered}). */
    FAILED,
    /** The API answered (and was paid); the run ended before the download. */
    ANSWERED,
    /** Not run; {@link #skipReason()} says why. */
    SKIPPED,
    /** Nothing on disk speaks of the job from this run. */
    NOT_RECORDED
  }

  /** What a manifest line says; null when its status is not one a job ends with. */
  static JobOutcome ofManifestLine(JsonNode line) {
    Status status = switch (line.path("status").asText()) {
      case "succeeded" -> Status.SUCCEEDED;
      case "failed", "undelivered" -> Status.FAILED;
      case "generated" -> Status.ANSWERED;
      default -> null;
    };
    if (status == null) {
      return null;
    }
    List<String> outputs = new ArrayList<>();
    line.path("outputs").forEach(n -> outputs.add(n.asText()));
    Map<String, String> sinks = new LinkedHashMap<>();
    line.path("sinks").fields().forEachRemaining(e -> sinks.put(e.getKey(), e.getValue().path("location").asText()));
    return new JobOutcome(
        status,
        line.path("id").asText(),
        null,
        text(line, "error_code"),
        text(line, "error"),
        outputs,
        line.path("model").asText(""),
        line.path("attempts").asInt(0),
        line.path("duration_ms").asLong(0),
        line.path("credits").isNumber() ? line.get("credits").decimalValue() : BigDecimal.ZERO,
        line.path("possibly_billed").asLong(0),
        text(line, "duplicate_of"),
        sinks);
  }

  /** What a line of the run's skip record ({@link RunLedger}) says. */
  static JobOutcome ofSkipLine(JsonNode line) {
    SkipReason reason;
    try {
      reason = SkipReason.valueOf(line.path("reason").asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
    return new JobOutcome(Status.SKIPPED, line.path("id").asText(), reason, null, text(line, "message"), List.of(),
        "", 0, 0, BigDecimal.ZERO, 0, null, Map.of());
  }

  private static String text(JsonNode line, String field) {
    JsonNode n = line.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }
}

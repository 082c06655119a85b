package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageGeneration;
import ai.anycap.pipeline.GeneratedImages;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SinkReceipt;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The journal's line format, written and read in one place. One JSON object a line, with {@code
 * id} and {@code status} always: {@code generated} (the server answered; {@code urls} to fetch),
 * {@code succeeded} ({@code outputs} with their {@code sizes}, {@code mtimes} and, when asked
 * for, {@code sha256}), {@code undelivered} (the image is kept, a sink did not get it), {@code
 * failed} (with {@code urls} when the server had answered). {@code request} is the job's
 * fingerprint (16 hex digits); lines written before it existed have none and match any request.
 */
final class JournalLines {

  static final String GENERATED = "generated";
  static final String SUCCEEDED = "succeeded";
  static final String UNDELIVERED = "undelivered";
  static final String FAILED = "failed";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JournalLines() {}

  /** The write-ahead line of a generate answer. */
  static byte[] generated(String jobId, long fingerprint, ImageGeneration g, Instant at) {
    ObjectNode o = start(jobId, GENERATED, fingerprint);
    ArrayNode urls = o.putArray("urls");
    g.outputs().forEach(u -> urls.add(u.toString()));
    o.put("model", g.model());
    o.put("credits", g.creditCost());
    g.requestId().ifPresent(r -> o.put("request_id", r));
    o.put("at", at.toString());
    return bytes(o);
  }

  /**
   * The line of a job that ran.
   *
   * @param files what each output file looks like now, in the order of the result's outputs
   * @param generated the answer's images, for a failed job whose images were not kept; else empty
   */
  static byte[] result(
      long fingerprint, JobResult result, List<String> outputs, List<OutputFiles.Seen> files,
      List<URI> generated, long possiblyBilled, Instant at) {
    ObjectNode o;
    if (result instanceof JobResult.Succeeded s) {
      o = start(s.jobId(), SUCCEEDED, fingerprint);
      outputs(o, outputs, files);
      o.put("model", s.model());
      if (s.requestId() != null) {
        o.put("request_id", s.requestId());
      }
      if (s.duplicateOf() != null) {
        o.put("duplicate_of", s.duplicateOf());
      }
      receipts(o, s.receipts());
    } else {
      JobResult.Failed f = (JobResult.Failed) result;
      boolean kept = !f.outputs().isEmpty();
      o = start(f.jobId(), kept ? UNDELIVERED : FAILED, fingerprint);
      o.put("error_code", f.errorCode());
      o.put("error", f.message());
      if (kept) {
        outputs(o, outputs, files);
        receipts(o, f.receipts());
      } else if (!generated.isEmpty()) {
        ArrayNode urls = o.putArray("urls");
        generated.forEach(u -> urls.add(u.toString()));
      }
    }
    o.put("credits", result.credits());
    o.put("attempts", result.attempts());
    if (possiblyBilled > 0) {
      o.put("possibly_billed", possiblyBilled);
    }
    o.put("duration_ms", result.duration().toMillis());
    o.put("at", at.toString());
    return bytes(o);
  }

  private static ObjectNode start(String jobId, String status, long fingerprint) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", jobId);
    o.put("status", status);
    if (fingerprint != 0) {
      o.put("request", String.format("%016x", fingerprint));
    }
    return o;
  }

  private static void outputs(ObjectNode o, List<String> outputs, List<OutputFiles.Seen> files) {
    ArrayNode paths = o.putArray("outputs");
    outputs.forEach(paths::add);
    if (files.size() == outputs.size() && !files.isEmpty()) {
      ArrayNode sizes = o.putArray("sizes");
      ArrayNode mtimes = o.putArray("mtimes");
      files.forEach(f -> {
        sizes.add(f.size());
        mtimes.add(f.modifiedMillis());
      });
      if (files.stream().allMatch(f -> f.sha256() != null)) {
        ArrayNode sha = o.putArray("sha256");
        files.forEach(f -> sha.add(f.sha256()));
      }
    }
  }

  private static void receipts(ObjectNode o, List<SinkReceipt> receipts) {
    if (receipts.isEmpty()) {
      return;
    }
    ObjectNode sinks = o.putObject("sinks");
    for (SinkReceipt r : receipts) {
      ObjectNode n = sinks.putObject(r.sink());
      n.put("location", r.location());
      if (!r.attributes().isEmpty()) {
        ObjectNode a = n.putObject("attributes");
        r.attributes().forEach(a::put);
      }
    }
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return (MAPPER.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ----- reading -----

  /**
   * A line read back.
   *
   * @param fingerprint the job's fingerprint, 0 when the line has none
   */
  record Line(String id, String status, long fingerprint, JsonNode json) {

    List<String> outputs() {
      List<String> out = new ArrayList<>();
      json.path("outputs").forEach(n -> out.add(n.asText()));
      return out;
    }

    /** What the line says each output file looked like, or null for an older line that says nothing. */
    List<OutputFiles.Seen> files() {
      JsonNode sizes = json.get("sizes");
      JsonNode mtimes = json.get("mtimes");
      JsonNode sha = json.get("sha256");
      if (sizes == null || !sizes.isArray()) {
        return null;
      }
      List<OutputFiles.Seen> out = new ArrayList<>();
      for (int i = 0; i < sizes.size(); i++) {
        out.add(new OutputFiles.Seen(
            sizes.get(i).asLong(),
            mtimes != null && mtimes.has(i) ? mtimes.get(i).asLong() : -1,
            sha != null && sha.has(i) ? sha.get(i).asText() : null));
      }
      return out;
    }

    Journal.Undelivered undelivered() {
      Map<String, SinkReceipt> receipts = new LinkedHashMap<>();
      json.path("sinks").fields().forEachRemaining(e -> {
        Map<String, String> attributes = new LinkedHashMap<>();
        e.getValue().path("attributes").fields().forEachRemaining(a -> attributes.put(a.getKey(), a.getValue().asText()));
        receipts.put(e.getKey(), new SinkReceipt(e.getKey(), e.getValue().path("location").asText(), attributes));
      });
      return new Journal.Undelivered(outputs(), json.path("model").asText(""), receipts);
    }

    /** The answer a {@code generated} line (or a {@code failed} one with urls) records, or null. */
    Journal.Generated generated() {
      JsonNode urls = json.get("urls");
      if (urls == null || !urls.isArray() || urls.isEmpty()) {
        return null;
      }
      List<URI> list = new ArrayList<>();
      for (JsonNode u : urls) {
        try {
          list.add(URI.create(u.asText()));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
      BigDecimal credits = json.path("credits").isNumber() ? json.get("credits").decimalValue() : BigDecimal.ZERO;
      String requestId = json.hasNonNull("request_id") ? json.get("request_id").asText() : null;
      return new Journal.Generated(new GeneratedImages(list, json.path("model").asText(""), credits, requestId));
    }
  }

  /**
   * Parses one line.
   *
   * @return the line, or null when it is not a journal entry
   * @throws JsonProcessingException when it is not JSON; {@link
   *     com.fasterxml.jackson.core.io.JsonEOFException} when it ends early (a torn write)
   */
  static Line parse(String text) throws JsonProcessingException {
    JsonNode n = MAPPER.readTree(text);
    if (n == null || !n.isObject() || !n.hasNonNull("id") || !n.hasNonNull("status")) {
      return null;
    }
    long fingerprint = 0;
    JsonNode r = n.get("request");
    if (r != null && r.isTextual()) {
      try {
        fingerprint = Long.parseUnsignedLong(r.asText(), 16);
      } catch (NumberFormatException e) {
        fingerprint = 0;
      }
    }
    return new Line(n.get("id").asText(), n.get("status").asText(), fingerprint, n);
  }
}

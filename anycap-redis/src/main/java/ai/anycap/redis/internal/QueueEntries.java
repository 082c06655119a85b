package ai.anycap.redis.internal;

import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.SinkReceipt;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of the entries the queue publishes, flat so that {@code redis-cli XRANGE} reads them;
 * lists are JSON arrays.
 *
 * <p>Results: {@code id}, {@code status} ({@code succeeded}, or {@code already_done} when a
 * worker's journal had it), {@code outputs}, {@code model}, {@code credits}, {@code attempts},
 * {@code duration_ms}, {@code request_id}, {@code duplicate_of}, {@code receipts} ({@code
 * [{"sink","location","attributes"}]}), {@code worker}, {@code deliveries}, {@code entry} (the
 * job's entry id). Dead letters: {@code id}, {@code job} (its JSON, or the entry's text when it
 * was not a job), {@code error_code}, {@code error}, {@code worker}, {@code deliveries}, {@code
 * entry}.
 */
final class QueueEntries {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private QueueEntries() {}

  static List<String> result(JobResult result, String worker, String entryId, long deliveries) {
    List<String> f = new ArrayList<>();
    add(f, "id", result.jobId());
    if (result instanceof JobResult.Succeeded s) {
      add(f, "status", "succeeded");
      add(f, "outputs", paths(s.outputs()));
      add(f, "model", s.model());
      add(f, "credits", s.credits().toPlainString());
      add(f, "attempts", Integer.toString(s.attempts()));
      add(f, "duration_ms", Long.toString(s.duration().toMillis()));
      if (s.requestId() != null) {
        add(f, "request_id", s.requestId());
      }
      if (s.duplicateOf() != null) {
        add(f, "duplicate_of", s.duplicateOf());
      }
      add(f, "receipts", receipts(s.receipts()));
    } else if (result instanceof JobResult.Skipped k) {
      add(f, "status", "already_done");
      add(f, "message", k.message());
    } else {
      throw new IllegalArgumentException("only successes are published as results: " + result);
    }
    add(f, "worker", worker);
    add(f, "deliveries", Long.toString(deliveries));
    add(f, "entry", entryId);
    return f;
  }

  static List<String> deadLetter(
      String jobId, String jobJson, String errorCode, String error, String worker, String entryId, long deliveries) {
    List<String> f = new ArrayList<>();
    add(f, "id", jobId == null ? "" : jobId);
    add(f, "job", jobJson == null ? "" : jobJson);
    add(f, "error_code", errorCode);
    add(f, "error", error == null ? "" : error);
    add(f, "worker", worker);
    add(f, "deliveries", Long.toString(deliveries));
    add(f, "entry", entryId);
    return f;
  }

  private static void add(List<String> fields, String name, String value) {
    fields.add(name);
    fields.add(value);
  }

  private static String paths(List<Path> paths) {
    ArrayNode a = MAPPER.createArrayNode();
    paths.forEach(p -> a.add(p.toString()));
    return a.toString();
  }

  private static String receipts(List<SinkReceipt> receipts) {
    ArrayNode a = MAPPER.createArrayNode();
    for (SinkReceipt r : receipts) {
      ObjectNode o = a.addObject();
      o.put("sink", r.sink());
      o.put("location", r.location());
      ObjectNode attrs = o.putObject("attributes");
      r.attributes().forEach(attrs::put);
    }
    try {
      return MAPPER.writeValueAsString(a);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

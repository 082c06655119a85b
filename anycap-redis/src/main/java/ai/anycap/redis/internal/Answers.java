package ai.anycap.redis.internal;

import ai.anycap.pipeline.GeneratedImages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead of paid images on a queue: a job's generate answer (its image URLs, model,
 * credits, request id) is kept in Redis, under the queue's hash tag and the job's id, from the
 * moment it arrives until the job settles ({@link QueueScripts#FINISH} deletes it), so that when
 * its worker dies mid-download, the worker that takes the job over downloads those images
 * instead of paying for new ones. A JSON string: {@code {"urls":[...],"model":"...","credits":"1",
 * "request_id":"...","worker":"...","entry":"..."}}, expiring after the queue's answer TTL.
 */
final class Answers {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final QueueSettings s;
  private final String worker;

  Answers(QueueSettings settings, String worker) {
    this.s = settings;
    this.worker = worker;
  }

  /** Keeps the answer for {@code jobId}, replacing one kept before (an answer that expired). */
  void keep(RedisClusterCommands<String, String> redis, String jobId, String entryId, GeneratedImages images) {
    ObjectNode o = JSON.createObjectNode();
    images.urls().forEach(u -> o.withArray("urls").add(u.toString()));
    o.put("model", images.model());
    o.put("credits", images.credits().toPlainString());
    if (images.requestId() != null) {
      o.put("request_id", images.requestId());
    }
    o.put("worker", worker);
    o.put("entry", entryId);
    redis.set(s.answerKey(jobId), o.toString(), SetArgs.Builder.px(s.answerTtl().toMillis()));
  }

  /** The answers kept for these jobs, by id; jobs without one are absent. */
  Map<String, GeneratedImages> find(RedisClusterCommands<String, String> redis, List<String> jobIds) {
    Map<String, GeneratedImages> found = new HashMap<>();
    if (jobIds.isEmpty()) {
      return found;
    }
    List<String> keys = new ArrayList<>();
    jobIds.forEach(id -> keys.add(s.answerKey(id)));
    List<KeyValue<String, String>> values = redis.mget(keys.toArray(String[]::new));
    for (int i = 0; i < values.size(); i++) {
      KeyValue<String, String> v = values.get(i);
      if (v != null && v.hasValue()) {
        GeneratedImages images = read(jobIds.get(i), v.getValue());
        if (images != null) {
          found.put(jobIds.get(i), images);
        }
      }
    }
    return found;
  }

  private GeneratedImages read(String jobId, String text) {
    try {
      JsonNode o = JSON.readTree(text);
      List<URI> urls = new ArrayList<>();
      o.path("urls").forEach(u -> urls.add(URI.create(u.asText())));
      String requestId = o.hasNonNull("request_id") ? o.get("request_id").asText() : null;
      return new GeneratedImages(urls, o.path("model").asText(), new BigDecimal(o.path("credits").asText()), requestId);
    } catch (Exception e) { // unreadable: the job is generated again, as without an answer
      log.warn("the answer kept for job {} at {} cannot be read ({}); it will be generated again", jobId,
          s.answerKey(jobId), e.toString());
      return null;
    }
  }
}

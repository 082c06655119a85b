package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A 128-bit fingerprint of what a request asks for (model, prompt, mode, parameters in any
 * order, references), so that identical requests in a batch are recognised without keeping every
 * request in memory.
 */
public record RequestDigest(long high, long low) {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  public static RequestDigest of(ImageRequest request) {
    return of(request, null);
  }

  /**
   * The fingerprint of a job as a journal remembers it: its request and where its image goes, so
   * that a changed template, parameter or output key is a changed job.
   */
  public static RequestDigest ofJob(ImageRequest request, String outputKey) {
    return of(request, outputKey);
  }

  private static RequestDigest of(ImageRequest request, String outputKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(CANONICAL.writeValueAsBytes(request.toBody()));
      if (outputKey != null) {
        sha.update((byte) '\n');
        sha.update(outputKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      ByteBuffer hash = ByteBuffer.wrap(sha.digest());
      return new RequestDigest(hash.getLong(), hash.getLong());
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

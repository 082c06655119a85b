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
    try {
      byte[] body = CANONICAL.writeValueAsBytes(request.toBody());
      ByteBuffer hash = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(body));
      return new RequestDigest(hash.getLong(), hash.getLong());
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

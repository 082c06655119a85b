package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageRef;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.function.Function;

/**
 * A 128-bit fingerprint of what a call asks for (operation, model, prompt, mode, parameters in any
 * order, references), so that identical requests in a batch are recognised without keeping every
 * request in memory.
 */
public record RequestDigest(long high, long low) {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** The call as it is sent: local files by their paths, which stand for their bytes within a run. */
  public static RequestDigest of(JobCall call) {
    return of(call.body(JobCall::asSent), null);
  }

  /**
   * The fingerprint of a job as a journal remembers it: what its call asks for and where its image
   * goes, so that a changed template, parameter or output key is a changed job; a local reference
   * counts by the SHA-256 of its bytes ({@code sha256}), so that a changed file is a changed job and
   * a moved one is not.
   *
   * @throws ai.anycap.client.UploadException when a local reference cannot be read
   */
  public static RequestDigest ofJob(JobCall call, String outputKey, Function<Path, String> sha256) {
    return of(call.body(ref -> ref instanceof ImageRef.LocalFile f ? "sha256:" + sha256.apply(f.path())
        : JobCall.asSent(ref)), outputKey);
  }

  private static RequestDigest of(Map<String, Object> body, String outputKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(CANONICAL.writeValueAsBytes(body));
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

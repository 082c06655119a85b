package ai.anycap.s3.internal;

import ai.anycap.pipeline.ImageJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code anycap-prompt-sha256} value. A sink sees the job, not the rendered prompt, so a
 * template job is identified by its template name and values (in key order, NUL-separated), a
 * literal-prompt job by its prompt text.
 */
public final class PromptDigest {

  private PromptDigest() {}

  /** SHA-256, lower-case hex, as documented on {@code S3Sink.promptSha256}. */
  public static String of(ImageJob job) {
    MessageDigest sha = sha256();
    if (job.prompt() != null) {
      sha.update(job.prompt().getBytes(StandardCharsets.UTF_8));
    } else {
      StringBuilder text = new StringBuilder(job.template());
      for (Map.Entry<String, String> e : new TreeMap<>(job.values()).entrySet()) {
        text.append('\0').append(e.getKey()).append('\0').append(e.getValue());
      }
      sha.update(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}

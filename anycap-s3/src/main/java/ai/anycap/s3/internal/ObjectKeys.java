package ai.anycap.s3.internal;

import ai.anycap.client.PromptTemplate;
import ai.anycap.pipeline.DeliveredImage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where an image goes in the bucket: the prefix, then the job's output key, a rendered key
 * template, or what a key function returns. Failures are {@link IllegalArgumentException}s whose
 * message says what is missing; the sink wraps them with the bucket and job.
 */
public final class ObjectKeys {

  /** S3's limit on a key, in UTF-8 bytes. */
  static final int MAX_KEY_BYTES = 1024;

  private final String prefix;
  private final PromptTemplate template;
  private final Function<DeliveredImage, String> function;

  private ObjectKeys(String prefix, PromptTemplate template, Function<DeliveredImage, String> function) {
    this.prefix = prefix;
    this.template = template;
    this.function = function;
  }

  /** Keys are {@code prefix + outputKey}. */
  public static ObjectKeys outputKey(String prefix) {
    return new ObjectKeys(prefix, null, null);
  }

  /** Keys are {@code prefix + template rendered over the job}. */
  public static ObjectKeys template(String prefix, String template) {
    return new ObjectKeys(prefix, checkTemplate(template), null);
  }

  /** Keys are {@code prefix + function(image)}. */
  public static ObjectKeys function(String prefix, Function<DeliveredImage, String> function) {
    return new ObjectKeys(prefix, null, function);
  }

  /**
   * Parses a key template, named by its own text so that errors quote it.
   *
   * @throws ai.anycap.client.PromptTemplateException if it is malformed
   */
  public static PromptTemplate checkTemplate(String template) {
    return PromptTemplate.of(template.isBlank() ? "<blank>" : template, template);
  }

  /** The full key for an image, prefix included. */
  public String keyFor(DeliveredImage image) {
    String key = prefix + relativeKey(image);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("the object key is empty");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "the object key is " + bytes + " bytes long, S3 allows " + MAX_KEY_BYTES + ": " + key);
    }
    return key;
  }

  private String relativeKey(DeliveredImage image) {
    if (template != null) {
      // Job values first, then the built-ins, which win: {id} is always the job's id.
      Map<String, Object> values = new HashMap<>(image.job().values());
      values.put("id", image.job().id());
      values.put("output_key", image.job().outputKey());
      values.put("model", image.model());
      return template.render(values);
    }
    if (function != null) {
      String key = function.apply(image);
      if (key == null) {
        throw new IllegalArgumentException("the key function returned null");
      }
      return key;
    }
    return image.job().outputKey();
  }

  @Override
  public String toString() {
    String what = template != null ? "template '" + template.text() + "'" : function != null ? "function" : "output key";
    return prefix.isEmpty() ? what : "'" + prefix + "' + " + what;
  }
}

package ai.anycap.pipeline;

import java.util.Map;
import java.util.Objects;

/**
 * Proof that a sink delivered an image: where it now is (a URL or an id) and anything else the
 * sink wants later sinks and the journal to know.
 *
 * @param sink the name of the sink that delivered
 * @param location a URL or id, such as the S3 object URL
 * @param attributes more facts, such as an ETag or a CMS revision
 */
public record SinkReceipt(String sink, String location, Map<String, String> attributes) {

  /**
   * A receipt; the attributes are copied.
   *
   * @param sink the name of the sink that delivered
   * @param location a URL or id
   * @param attributes more facts
   */
  public SinkReceipt {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(location, "location");
    attributes = Map.copyOf(attributes);
  }

  /**
   * A receipt with no attributes.
   *
   * @param sink the name of the sink that delivered
   * @param location a URL or id
   * @return the receipt
   */
  public static SinkReceipt of(String sink, String location) {
    return new SinkReceipt(sink, location, Map.of());
  }
}

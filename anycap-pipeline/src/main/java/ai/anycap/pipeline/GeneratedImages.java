package ai.anycap.pipeline;

import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Images the server generated, and billed, for a job before they were downloaded: what a journal
 * line or a queue entry carries so that a run or worker that takes the job over after a crash
 * downloads them instead of paying for new ones. The URLs are pre-signed and expire; when they can
 * no longer be fetched the job is generated again (and counted as such in the report).
 *
 * @param urls where the images are
 * @param model the model that made them
 * @param credits what the generation cost
 * @param requestId the server's request id for the answer, or null
 */
public record GeneratedImages(List<URI> urls, String model, BigDecimal credits, String requestId) {

  /**
   * Images as answered.
   *
   * @param urls where the images are; at least one
   * @param model the model that made them
   * @param credits what the generation cost
   * @param requestId the server's request id for the answer, or null
   */
  public GeneratedImages {
    urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("urls must not be empty");
    }
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(credits, "credits");
  }
}

package ai.anycap.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An image ready for delivery: its job, its file on disk, and what is known about it.
 *
 * @param job the job that made it
 * @param file the image file, complete and verified
 * @param size its size in bytes
 * @param contentType its media type from its magic bytes, such as {@code image/png}
 * @param sha256 its SHA-256, lower-case hex
 * @param model the model that made it
 * @param receipts receipts of the sinks that delivered it before this one, in order
 */
public record DeliveredImage(
    ImageJob job, Path file, long size, String contentType, String sha256, String model, List<SinkReceipt> receipts) {

  /**
   * An image ready for delivery; the receipts are copied.
   *
   * @param job the job that made it
   * @param file the image file
   * @param size its size in bytes
   * @param contentType its media type
   * @param sha256 its SHA-256, lower-case hex
   * @param model the model that made it
   * @param receipts receipts of the sinks before this one, in order
   */
  public DeliveredImage {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(model, "model");
    receipts = List.copyOf(receipts);
  }

  /**
   * The receipt of the earlier sink with this name.
   *
   * @param sink the sink's name
   * @return its receipt, or empty when no earlier sink of that name delivered the image
   */
  public Optional<SinkReceipt> receipt(String sink) {
    return receipts.stream().filter(r -> r.sink().equals(sink)).findFirst();
  }
}

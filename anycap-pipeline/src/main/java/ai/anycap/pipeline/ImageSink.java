package ai.anycap.pipeline;

import java.util.concurrent.CompletableFuture;

/**
 * Takes a finished image somewhere: a bucket, a CMS, a webhook. The pipeline calls {@link
 * #deliver(DeliveredImage)} once the image is safely on disk, passing the receipts of the sinks
 * before this one, so that a CMS sink can write the URL an S3 sink produced.
 *
 * <pre>{@code
 * ImageSink log = image -> {
 *   System.out.println(image.job().id() + " -> " + image.file());
 *   return CompletableFuture.completedFuture(SinkReceipt.of("log", image.file().toString()));
 * };
 * }</pre>
 *
 * <p>A sink failure is not a generation failure: the image is kept, the sink alone is retried
 * (failures that are {@link SinkException#retryable()}, or any other exception), the journal
 * records which sinks delivered, and a rerun delivers only what is missing. Sinks must be
 * thread-safe: the pipeline calls them for many jobs at once. Return a failed future (or throw)
 * to fail.
 */
@FunctionalInterface
public interface ImageSink {

  /**
   * Delivers one image.
   *
   * @param image the image, on disk, with the receipts of the sinks before this one
   * @return the receipt, once the image is there; a failed future (or a thrown exception) fails
   *     the delivery
   */
  CompletableFuture<SinkReceipt> deliver(DeliveredImage image);

  /**
   * A stable name, recorded in the journal (so a rerun knows what was delivered) and used to find
   * this sink's receipt. Defaults to the class's simple name; give two sinks of one class
   * different names.
   *
   * @return the name
   */
  default String name() {
    String n = getClass().getSimpleName();
    return n.isEmpty() || n.contains("$$Lambda") ? "sink" : n;
  }
}

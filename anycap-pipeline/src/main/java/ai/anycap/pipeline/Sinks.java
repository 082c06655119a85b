package ai.anycap.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Composes sinks. {@link #chain(ImageSink...)} delivers to each sink in turn, giving each the
 * receipts of those before it: {@code Sinks.chain(s3, cms)} lets the CMS sink write the S3 URL.
 */
public final class Sinks {

  private Sinks() {}

  /**
   * Sinks run in order; a failure stops the chain. Given to a pipeline, each sink of the chain is
   * retried and journaled on its own.
   *
   * @param sinks the sinks, in delivery order; chains among them count as their members
   * @return one sink standing for them all
   */
  public static ImageSink chain(ImageSink... sinks) {
    Objects.requireNonNull(sinks, "sinks");
    List<ImageSink> flat = new ArrayList<>();
    for (ImageSink s : sinks) {
      flat.addAll(flatten(Objects.requireNonNull(s, "sink")));
    }
    return new Chain(List.copyOf(flat));
  }

  /** The sinks a sink stands for: the members of a chain, or the sink itself. */
  static List<ImageSink> flatten(ImageSink sink) {
    return sink instanceof Chain c ? c.sinks : List.of(sink);
  }

  private static final class Chain implements ImageSink {
    private final List<ImageSink> sinks;

    Chain(List<ImageSink> sinks) {
      this.sinks = sinks;
    }

    @Override
    public CompletableFuture<SinkReceipt> deliver(DeliveredImage image) {
      CompletableFuture<DeliveredImage> step = CompletableFuture.completedFuture(image);
      CompletableFuture<SinkReceipt> last = CompletableFuture.completedFuture(null);
      for (ImageSink s : sinks) {
        CompletableFuture<SinkReceipt> delivered = step.thenCompose(s::deliver);
        CompletableFuture<DeliveredImage> prev = step;
        step = delivered.thenCombine(prev, (receipt, img) -> withReceipt(img, receipt));
        last = delivered;
      }
      return last;
    }

    @Override
    public String name() {
      return "chain" + sinks.stream().map(ImageSink::name).toList();
    }
  }

  static DeliveredImage withReceipt(DeliveredImage img, SinkReceipt receipt) {
    List<SinkReceipt> receipts = new ArrayList<>(img.receipts());
    receipts.add(receipt);
    return new DeliveredImage(img.job(), img.file(), img.size(), img.contentType(), img.sha256(), img.model(), receipts);
  }
}

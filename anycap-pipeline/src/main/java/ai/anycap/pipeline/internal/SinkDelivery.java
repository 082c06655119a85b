package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageFormat;
import ai.anycap.pipeline.DeliveredImage;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.JobResult;
import ai.anycap.pipeline.Retry;
import ai.anycap.pipeline.SinkException;
import ai.anycap.pipeline.SinkReceipt;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * Delivers a finished image to the pipeline's sinks in order, each under its own retry policy,
 * skipping sinks that already delivered it in an earlier run.
 */
final class SinkDelivery {

  /** What delivery achieved: the receipts so far, and the failure that stopped it, if one did. */
  record Delivered(List<SinkReceipt> receipts, Throwable failure) {

    /**
     * The result of a job whose image is on disk: succeeded when every sink has it, otherwise
     * failed with {@code SINK_FAILED}, the image kept for a rerun to deliver.
     */
    JobResult result(JobPlan plan, List<Path> outputs, String model, BigDecimal credits, int attempts, Duration took,
        String requestId, String duplicateOf) {
      if (failure == null) {
        return new JobResult.Succeeded(plan.job(), outputs, model, credits, attempts, took, requestId, duplicateOf,
            receipts);
      }
      String sink = failure instanceof SinkException se ? se.sink() : "sink";
      return new JobResult.Failed(plan.job(), "SINK_FAILED",
          "the image is kept, but delivery to " + sink + " failed: " + failure.getMessage(),
          credits, attempts, took, outputs, receipts);
    }
  }

  private final List<ImageSink> sinks;
  private final Retry retry;
  private final ScheduledExecutorService scheduler;
  private final BooleanSupplier closed;

  SinkDelivery(List<ImageSink> sinks, Retry retry, ScheduledExecutorService scheduler, BooleanSupplier closed) {
    this.sinks = List.copyOf(sinks);
    this.retry = retry;
    this.scheduler = scheduler;
    this.closed = closed;
  }

  CompletableFuture<Delivered> deliver(
      ImageJob job, Path file, String model, Map<String, SinkReceipt> alreadyDelivered) {
    if (sinks.isEmpty()) {
      return CompletableFuture.completedFuture(new Delivered(List.of(), null));
    }
    DeliveredImage image;
    try {
      image = describe(job, file, model);
    } catch (UncheckedIOException e) {
      return CompletableFuture.completedFuture(new Delivered(List.of(), e));
    }
    List<SinkReceipt> receipts = new ArrayList<>();
    CompletableFuture<Throwable> chain = CompletableFuture.completedFuture(null);
    for (ImageSink sink : sinks) {
      chain =
          chain.thenCompose(
              failure -> {
                if (failure != null) {
                  return CompletableFuture.completedFuture(failure);
                }
                SinkReceipt earlier = alreadyDelivered.get(sink.name());
                if (earlier != null) {
                  receipts.add(earlier);
                  return CompletableFuture.completedFuture(null);
                }
                DeliveredImage withReceipts =
                    new DeliveredImage(job, image.file(), image.size(), image.contentType(), image.sha256(), model,
                        List.copyOf(receipts));
                return deliverWithRetry(sink, withReceipts)
                    .handle(
                        (receipt, error) -> {
                          if (error != null) {
                            return Failures.unwrap(error);
                          }
                          receipts.add(receipt);
                          return null;
                        });
              });
    }
    return chain.thenApply(failure -> new Delivered(List.copyOf(receipts), failure));
  }

  private CompletableFuture<SinkReceipt> deliverWithRetry(ImageSink sink, DeliveredImage image) {
    RetryPolicy<SinkReceipt> policy = RetryPolicies.forDelivery(retry, closed);
    return Failsafe.with(policy)
        .with(scheduler)
        .getStageAsync(
            () -> {
              CompletableFuture<SinkReceipt> f = sink.deliver(image);
              if (f == null) {
                throw new SinkException(sink.name(), "returned no future", false);
              }
              return f.thenApply(
                  r -> {
                    if (r == null) {
                      throw new SinkException(sink.name(), "completed without a receipt", false);
                    }
                    return r;
                  });
            });
  }

  static DeliveredImage describe(ImageJob job, Path file, String model) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      byte[] head = new byte[ImageFormat.MAGIC_LENGTH];
      int headLength = 0;
      long size = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        if (headLength < head.length) {
          int k = Math.min(head.length - headLength, n);
          System.arraycopy(buf, 0, head, headLength, k);
          headLength += k;
        }
        sha.update(buf, 0, n);
        size += n;
      }
      String type = ImageFormat.detect(head, headLength).map(ImageFormat::mediaType).orElse("application/octet-stream");
      return new DeliveredImage(job, file, size, type, HexFormat.of().formatHex(sha.digest()), model, List.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " for delivery", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

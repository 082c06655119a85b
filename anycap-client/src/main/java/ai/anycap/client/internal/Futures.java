package ai.anycap.client.internal;

import ai.anycap.client.AnyCapException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Waits for a future and throws its failure as itself, not wrapped, for the blocking API. */
public final class Futures {

  private Futures() {}

  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new AnyCapException("interrupted while waiting for AnyCap", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = ApiTransport.unwrap(e.getCause() == null ? e : e.getCause());
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new AnyCapException(cause.toString(), cause);
    } catch (CancellationException e) {
      throw new AnyCapException("call was cancelled", e);
    }
  }
}

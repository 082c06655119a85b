package ai.anycap.client.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A body subscriber that cancels the body at once and fails with the given error: for an answer
 * refused on its headers (a declared size over the cap), whose body must not be read.
 */
final class FailingSubscriber<T> implements HttpResponse.BodySubscriber<T> {
  private final CompletableFuture<T> body = new CompletableFuture<>();
  private final RuntimeException error;

  FailingSubscriber(RuntimeException error) {
    this.error = error;
  }

  @Override
  public CompletionStage<T> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    subscription.cancel();
    body.completeExceptionally(error);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {}

  @Override
  public void onError(Throwable throwable) {
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    body.completeExceptionally(error);
  }
}

package ai.anycap.spring.internal;

import ai.anycap.pipeline.Budget;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.Retry;
import ai.anycap.spring.AnyCapProperties;

/** Applies the {@code anycap.pipeline.*} properties that are set to a builder, and no others. */
public final class PipelineProperties {

  private PipelineProperties() {}

  public static ImagePipelineBuilder apply(AnyCapProperties.Pipeline p, ImagePipelineBuilder b) {
    if (p.concurrency() != null) {
      b.concurrency(p.concurrency());
    }
    if (p.outputRoot() != null) {
      b.outputRoot(p.outputRoot());
    }
    if (p.journal() != null) {
      b.journal(p.journal());
    }
    if (p.rateLimit() != null) {
      b.rateLimit(p.rateLimit());
    }
    if (p.adaptiveRate() != null) {
      b.adaptiveRate(p.adaptiveRate());
    }
    if (p.defaultModel() != null) {
      b.defaultModel(p.defaultModel());
    }
    if (p.jobTimeout() != null) {
      b.jobTimeout(p.jobTimeout());
    }
    if (p.attemptTimeout() != null) {
      b.attemptTimeout(p.attemptTimeout());
    }
    b.retry(retry(p.retry()));
    Budget budget = budget(p.budget());
    if (budget != null) {
      b.budget(budget);
    }
    return b;
  }

  static Retry retry(AnyCapProperties.Retry r) {
    Retry d = Retry.defaults();
    Retry retry = new Retry(
        r.maxAttempts() != null ? r.maxAttempts() : d.maxAttempts(),
        r.initialDelay() != null ? r.initialDelay() : d.initialDelay(),
        r.maxDelay() != null ? r.maxDelay() : d.maxDelay(),
        d.jitter(),
        r.maxRetryAfter() != null ? r.maxRetryAfter() : d.maxRetryAfter());
    return r.failWhenBillingUncertain() ? retry.failWhenBillingUncertain() : retry;
  }

  static Budget budget(AnyCapProperties.Budget b) {
    if (b.credits() != null && b.usd() != null) {
      throw new IllegalArgumentException(
          "anycap.pipeline.budget: set credits or usd, not both (credits=" + b.credits() + ", usd=" + b.usd() + ")");
    }
    if (b.credits() != null) {
      return Budget.credits(b.credits());
    }
    return b.usd() != null ? Budget.dollars(b.usd()) : null;
  }
}

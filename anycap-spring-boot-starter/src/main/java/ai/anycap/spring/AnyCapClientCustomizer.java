package ai.anycap.spring;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapClientBuilder;

/**
 * Changes the auto-configured {@link AnyCapClient}'s builder after the {@code anycap.*} properties
 * are applied: an executor, an {@code HttpClient}, another exchange listener. Declare it as a
 * bean; all of them apply, in {@code @Order}.
 */
@FunctionalInterface
public interface AnyCapClientCustomizer {

  /**
   * Changes the builder.
   *
   * @param builder the builder, with the properties applied
   */
  void customize(AnyCapClientBuilder builder);
}

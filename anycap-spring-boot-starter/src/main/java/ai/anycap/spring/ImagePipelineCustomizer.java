package ai.anycap.spring;

import ai.anycap.pipeline.ImagePipelineBuilder;

/**
 * Changes the auto-configured {@code ImagePipeline}'s builder after the {@code anycap.pipeline.*}
 * properties are applied: templates, sinks, prices, a retry policy of your own. Declare it as a
 * bean; all of them apply, in {@code @Order}.
 */
@FunctionalInterface
public interface ImagePipelineCustomizer {

  /**
   * Changes the builder.
   *
   * @param builder the builder, with the properties, listener beans and sink beans applied
   */
  void customize(ImagePipelineBuilder builder);
}

package ai.anycap.spring;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.AnyCapClientBuilder;
import ai.anycap.micrometer.AnyCapObservability;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.ImagePipelineBuilder;
import ai.anycap.pipeline.ImageSink;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.client.PromptTemplates;
import ai.anycap.spring.internal.ClientProperties;
import ai.anycap.spring.internal.PipelineProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures an {@link AnyCapClient} and an {@link ImagePipeline} from the {@code anycap.*}
 * properties ({@link AnyCapProperties}), and, when the application has a Micrometer {@code
 * MeterRegistry}, their metrics and traces ({@link AnyCapObservability}). Each bean backs off when
 * the application defines its own.
 *
 * <p>One pipeline for the application, rather than a builder for each caller: its concurrency
 * limit, budget, learned pace and journal lock must be shared by every batch the application
 * runs, or two batches would double the load on the same rate limit and budget. Batches started
 * with {@code runAsync} run beside each other in it. When the context closes, the pipeline
 * stops taking jobs and waits for the running ones, and batches still running end as cancelled
 * with every entry counted.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@EnableConfigurationProperties(AnyCapProperties.class)
public class AnyCapAutoConfiguration {

  /** Made by Spring. */
  public AnyCapAutoConfiguration() {}

  /**
   * The client: the properties, then the observability's exchange listener, then the customizers.
   *
   * @param properties the {@code anycap.*} properties
   * @param observability metrics and traces, when a {@code MeterRegistry} exists
   * @param customizers the application's, in order
   * @return the client
   * @throws IllegalStateException when no API key is configured
   */
  @Bean
  @ConditionalOnMissingBean
  public AnyCapClient anyCapClient(
      AnyCapProperties properties,
      ObjectProvider<AnyCapObservability> observability,
      ObjectProvider<AnyCapClientCustomizer> customizers) {
    AnyCapClientBuilder b = ClientProperties.builder(properties);
    observability.ifAvailable(o -> b.exchangeListener(o.exchangeListener()));
    customizers.orderedStream().forEach(c -> c.customize(b));
    return ClientProperties.build(b, properties);
  }

  /**
   * The pipeline: the client, the {@code anycap.pipeline.*} properties, the application's
   * {@link PromptTemplates}, {@link ImageSink} and {@link PipelineListener} beans (in order), the
   * observability's listener and gauges, then the customizers. Closed with the context.
   *
   * @param client the client
   * @param properties the {@code anycap.*} properties
   * @param templates the application's templates, if any
   * @param sinks the application's sinks, in order
   * @param listeners the application's listeners, in order
   * @param observability metrics and traces, when a {@code MeterRegistry} exists
   * @param customizers the application's, in order
   * @return the pipeline
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(name = "anycap.pipeline.enabled", matchIfMissing = true)
  public ImagePipeline imagePipeline(
      AnyCapClient client,
      AnyCapProperties properties,
      ObjectProvider<PromptTemplates> templates,
      ObjectProvider<ImageSink> sinks,
      ObjectProvider<PipelineListener> listeners,
      ObjectProvider<AnyCapObservability> observability,
      ObjectProvider<ImagePipelineCustomizer> customizers) {
    ImagePipelineBuilder b = PipelineProperties.apply(properties.pipeline(), ImagePipeline.builder().client(client));
    templates.ifAvailable(b::templates);
    sinks.orderedStream().forEach(b::sink);
    listeners.orderedStream().forEach(b::listener);
    AnyCapObservability o = observability.getIfAvailable();
    if (o != null) {
      b.listener(o.pipelineListener());
    }
    customizers.orderedStream().forEach(c -> c.customize(b));
    ImagePipeline pipeline = b.build();
    if (o != null) {
      o.bind(pipeline);
    }
    return pipeline;
  }

  /** Metrics and traces, when the application has a Micrometer {@code MeterRegistry}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBean(MeterRegistry.class)
  public static class Observability {

    /** Made by Spring. */
    public Observability() {}

    /**
     * The client's exchanges observed through the application's {@code ObservationRegistry}
     * (timers, and spans with a tracer), else timed into the {@code MeterRegistry}; the
     * pipeline's meters in the {@code MeterRegistry}.
     *
     * @param meters the application's registry
     * @param observations the application's observation registry, if any
     * @return the observability
     */
    @Bean
    @ConditionalOnMissingBean
    public AnyCapObservability anyCapObservability(MeterRegistry meters, ObjectProvider<ObservationRegistry> observations) {
      ObservationRegistry registry = observations.getIfAvailable();
      return registry != null ? AnyCapObservability.of(meters, registry) : AnyCapObservability.of(meters);
    }
  }
}

/**
 * Spring Boot 4 auto-configuration for anycap-java: an {@code AnyCapClient} and an {@code
 * ImagePipeline} from the {@code anycap.*} properties ({@link ai.anycap.spring.AnyCapProperties}),
 * metrics and traces when the application has Micrometer, the {@code anycap} Actuator health
 * indicator, the API key masked in Actuator's endpoints, and a Redis queue worker with {@code
 * anycap-redis}. Every bean backs off when the application defines its own; {@link
 * ai.anycap.spring.AnyCapClientCustomizer} and {@link ai.anycap.spring.ImagePipelineCustomizer}
 * beans change the builders.
 */
package ai.anycap.spring;

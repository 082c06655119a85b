package ai.anycap.spring;

import ai.anycap.client.AnyCapClient;
import java.time.Clock;
import java.util.regex.Pattern;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Actuator: the {@code anycap} health indicator ({@link AnyCapHealthIndicator}), and the API
 * key masked in the {@code env} and {@code configprops} endpoints whatever their {@code
 * show-values} says.
 */
@AutoConfiguration(after = AnyCapAutoConfiguration.class)
public class AnyCapActuatorAutoConfiguration {

  /** Made by Spring. */
  public AnyCapActuatorAutoConfiguration() {}

  /** The health indicator, with {@code spring-boot-health} on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnBean(AnyCapClient.class)
  @ConditionalOnEnabledHealthIndicator("anycap")
  public static class HealthConfiguration {

    /** Made by Spring. */
    public HealthConfiguration() {}

    /**
     * The {@code anycap} health contributor.
     *
     * @param client the client to check
     * @param properties for {@code anycap.health.cache-time-to-live}
     * @return the indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "anycapHealthIndicator")
    public AnyCapHealthIndicator anycapHealthIndicator(AnyCapClient client, AnyCapProperties properties) {
      return new AnyCapHealthIndicator(client, properties.health().cacheTimeToLive(), Clock.systemUTC());
    }
  }

  /** The key's masking, with {@code spring-boot-actuator} on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SanitizingFunction.class)
  public static class Masking {

    /** The key as the env endpoint names it (property or variable) and as configprops does. */
    private static final Pattern API_KEY = Pattern.compile("(?i)anycap[._]?api[-_]?key|apiKey");

    /** Made by Spring. */
    public Masking() {}

    /**
     * Masks {@code anycap.api-key} and {@code ANYCAP_API_KEY}.
     *
     * @return the sanitizing function
     */
    @Bean
    public SanitizingFunction anycapApiKeySanitizer() {
      return SanitizingFunction.sanitizeValue().ifKeyMatches(API_KEY);
    }
  }
}

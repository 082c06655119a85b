package ai.anycap.spring;

import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.redis.RedisJobQueueBuilder;
import ai.anycap.spring.internal.QueueWorker;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * With {@code anycap-redis} on the classpath and {@code anycap.redis.uri} set: a {@link
 * RedisJobQueue}, and a worker that takes jobs from it with the application's {@link
 * ImagePipeline} from startup until shutdown ({@code anycap.redis.worker=false} for an application
 * that only enqueues). On shutdown the worker stops taking jobs and settles the running ones
 * before the pipeline and the queue close; the jobs it had not started go back to the queue.
 */
@AutoConfiguration(after = AnyCapAutoConfiguration.class)
@ConditionalOnClass(RedisJobQueue.class)
@ConditionalOnProperty("anycap.redis.uri")
public class AnyCapRedisAutoConfiguration {

  /** Made by Spring. */
  public AnyCapRedisAutoConfiguration() {}

  /**
   * The queue, closed with the context.
   *
   * @param properties {@code anycap.redis.*}
   * @return the queue
   */
  @Bean
  @ConditionalOnMissingBean
  public RedisJobQueue redisJobQueue(AnyCapProperties properties) {
    RedisJobQueueBuilder b = RedisJobQueue.builder().redisUri(properties.redis().uri());
    if (properties.redis().namespace() != null) {
      b.namespace(properties.redis().namespace());
    }
    return b.build();
  }

  /**
   * The worker: started with the context, stopped (its running jobs settled) before the pipeline
   * and the queue close.
   *
   * @param queue the queue
   * @param pipeline the pipeline that runs the jobs
   * @param properties {@code anycap.redis.worker-name}
   * @return the worker's lifecycle
   */
  @Bean
  @ConditionalOnBean(ImagePipeline.class)
  @ConditionalOnProperty(name = "anycap.redis.worker", matchIfMissing = true)
  @ConditionalOnMissingBean(name = "anycapQueueWorker")
  public SmartLifecycle anycapQueueWorker(RedisJobQueue queue, ImagePipeline pipeline, AnyCapProperties properties) {
    return new QueueWorker(queue, pipeline, properties.redis().workerName());
  }
}

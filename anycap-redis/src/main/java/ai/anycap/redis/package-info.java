/**
 * Spreads an {@code ImagePipeline} batch over many workers, on many machines, with Redis Streams:
 * {@link ai.anycap.redis.RedisJobQueue}, configured by {@link ai.anycap.redis.RedisJobQueueBuilder},
 * on one Redis or a Redis Cluster; and one rate limit shared by the workers of an account,
 * {@link ai.anycap.redis.RedisJobQueue#sharedPace(String)}. Everything outside this package is
 * internal.
 */
package ai.anycap.redis;

/**
 * Spreads an {@code ImagePipeline} batch over many workers, on many machines, with Redis Streams:
 * {@link ai.anycap.redis.RedisJobQueue}. Everything outside this package is internal.
 */
package ai.anycap.redis;

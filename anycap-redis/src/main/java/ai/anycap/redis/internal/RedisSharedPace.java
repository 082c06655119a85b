package ai.anycap.redis.internal;

import ai.anycap.pipeline.SharedPace;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SharedPace} in Redis: a hash {@code anycap:pace:{account}} (the schedule's next moment,
 * the pause's end, the version and text of what the pipelines learned, the moments taken so far)
 * and a list {@code anycap:pace:{account}:moments} (the latest {@value #KEPT} moments), each
 * changed by one Lua script, atomically. The pipelines keep the learning; Redis only hands out
 * moments and compare-and-sets the learned state: a learned rate is something no fixed-rate bucket
 * (Bucket4j and the like) could share, and a script is one round trip where WATCH/MULTI would need
 * a connection of its own per transaction and retries on every conflict.
 *
 * <p>Time is Redis's {@code TIME}, read inside each script: one clock for every worker, however
 * far apart their own clocks are (epoch milliseconds from each machine would put two workers'
 * pauses apart by their clock skew, which NTP bounds only loosely). Each worker learns its
 * distance from it from the answers ({@code StoreClock} in the pipeline), to within half a round
 * trip. Keys name the account as the user gave it, never the API key, and expire a day after
 * their last use.
 */
public final class RedisSharedPace implements SharedPace, AutoCloseable {

  /** Moments kept for the workers to learn from: the last half second or more at 1,000 a second. */
  static final int KEPT = 512;
  private static final long EXPIRE_SECONDS = Duration.ofDays(1).toSeconds();

  /**
   * Takes the next moments. KEYS: the pace's hash, its list of moments. ARGV: spacing and catch-up
   * in microseconds, the caller's last sequence, the most moments to return, seconds to keep the
   * keys, how many moments to take. Returns {first sequence, {moments}, now, version, {earlier
   * moments}}. TIME comes first: on Redis 6.2, {@code replicate_commands} lets a script write
   * after reading it. The catch-up is bounded across the moments taken: each starts from the
   * schedule the last one left.
   */
  static final QueueScripts.Script CLAIM =
      new QueueScripts.Script(
          """
          redis.replicate_commands()
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local f = redis.call('HMGET', KEYS[1], 'next', 'paused_until', 'version', 'seq')
          local nxt = tonumber(f[1]) or 0
          local paused = tonumber(f[2]) or 0
          local spacing = tonumber(ARGV[1])
          local count = math.max(1, tonumber(ARGV[6]))
          local first = (tonumber(f[4]) or 0) + 1
          local after = math.max(tonumber(ARGV[3]), first - 1 - tonumber(ARGV[4]))
          local earlier = {}
          if after < first - 1 then
            earlier = redis.call('LRANGE', KEYS[2], after - first + 1, -1)
          end
          local moments = {}
          for i = 1, count do
            local due = math.max(nxt, paused)
            local at = now
            if due > now then
              at = due
              nxt = due + spacing
            else
              nxt = math.max(due, now - tonumber(ARGV[2])) + spacing
            end
            moments[i] = at
            redis.call('RPUSH', KEYS[2], string.format('%.0f', at))
          end
          local seq = first + count - 1
          redis.call('HSET', KEYS[1], 'next', string.format('%.0f', nxt), 'seq', string.format('%.0f', seq))
          redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
          redis.call('EXPIRE', KEYS[1], ARGV[5])
          redis.call('EXPIRE', KEYS[2], ARGV[5])
          return {first, moments, now, tonumber(f[3]) or 0, earlier}
          """);

  /**
   * Compare-and-set of the pause and what was learned. KEYS: the pace's hash. ARGV: expected
   * version, pause's end (microseconds), the learned text, seconds to keep the key. Returns
   * {written (1 or 0), version, pause's end, learned text, sequence, now}.
   */
  static final QueueScripts.Script COMPARE_AND_SET =
      new QueueScripts.Script(
          """
          redis.replicate_commands()
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local f = redis.call('HMGET', KEYS[1], 'version', 'paused_until', 'learned', 'seq')
          local v = tonumber(f[1]) or 0
          local seq = tonumber(f[4]) or 0
          if tonumber(ARGV[1]) == v then
            v = v + 1
            redis.call('HSET', KEYS[1], 'version', v, 'paused_until', ARGV[2], 'learned', ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            return {1, v, ARGV[2], ARGV[3], seq, now}
          end
          return {0, v, f[2] or '0', f[3] or '', seq, now}
          """);

  private final String key;
  private final String moments;
  private final RedisLink link;

  /**
   * @param account the account's name as the user gave it (checked by the caller: no braces)
   * @param timeout the longest a call may take: the pacer waits for it
   */
  public RedisSharedPace(AbstractRedisClient client, String account, Duration timeout) {
    this.key = "anycap:pace:{" + account + "}";
    this.moments = key + ":moments";
    this.link = new RedisLink(client, timeout);
  }

  /** The hash's key; the list of moments is this and {@code :moments}. */
  public String key() {
    return key;
  }

  @Override
  public Slot claim(long spacingMicros, long catchUpMicros, long after, int count) {
    List<Object> r = CLAIM.run(link.commands(), ScriptOutputType.MULTI, new String[] {key, moments},
        Long.toString(spacingMicros), Long.toString(catchUpMicros), Long.toString(Math.max(0, after)),
        Integer.toString(KEPT), Long.toString(EXPIRE_SECONDS), Integer.toString(Math.max(1, count)));
    return new Slot(number(r.get(0)), numbers(r.get(1)), number(r.get(2)), number(r.get(3)), numbers(r.get(4)));
  }

  private static List<Long> numbers(Object list) {
    List<Long> all = new ArrayList<>();
    for (Object o : (List<?>) list) {
      all.add(number(o));
    }
    return all;
  }

  @Override
  public Snapshot compareAndSet(long expectedVersion, long pausedUntil, String learned) {
    List<Object> r = COMPARE_AND_SET.run(link.commands(), ScriptOutputType.MULTI, new String[] {key},
        Long.toString(expectedVersion), Long.toString(Math.max(0, pausedUntil)), learned, Long.toString(EXPIRE_SECONDS));
    return new Snapshot(number(r.get(0)) == 1, number(r.get(1)), number(r.get(2)), String.valueOf(r.get(3)),
        number(r.get(4)), number(r.get(5)));
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
  }

  @Override
  public void close() {
    link.close();
  }

  @Override
  public String toString() {
    return "RedisSharedPace{" + key + '}';
  }
}

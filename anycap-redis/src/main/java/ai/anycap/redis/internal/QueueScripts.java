package ai.anycap.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The queue's Lua scripts. Each makes a step atomic that must not be half done when a worker or
 * Redis dies mid-way, and idempotent, so that a command whose answer was lost to a dropped
 * connection can simply be sent again. Every key a script touches is passed in KEYS and shares
 * the queue's hash tag, so that each runs on a Redis Cluster too (where a key of another slot
 * fails with CROSSSLOT).
 */
final class QueueScripts {

  /**
   * Adds a batch of jobs unless it was added before (a retry after a lost answer) and unless the
   * stream has no room for it (back-pressure), all at once. KEYS: job stream, producers hash.
   * ARGV: producer id, batch number, max stream length, then the jobs as JSON. Returns how many
   * were added, -1 when the batch was added already, -2 when the stream is full.
   */
  static final Script ENQUEUE =
      new Script(
          """
          local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
          if last >= tonumber(ARGV[2]) then return -1 end
          local n = #ARGV - 3
          local len = redis.call('XLEN', KEYS[1])
          if len > 0 and len + n > tonumber(ARGV[3]) then return -2 end
          for i = 4, #ARGV do redis.call('XADD', KEYS[1], '*', 'job', ARGV[i]) end
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
          redis.call('EXPIRE', KEYS[2], 604800)
          return n
          """);

  /**
   * Finishes an entry: acknowledges it and, only if this call did (so a retry or a second worker
   * changes nothing), marks the job done, publishes an entry, deletes the job's entry and the
   * generate answer kept for it (the job is settled: nobody will resume it). KEYS: job stream,
   * stream to publish to, done set, the job's answer key. ARGV: group, entry id, job id to mark
   * done ('' for none), then the published entry's fields and values (none to publish nothing).
   * Returns 1 when this call acknowledged it, 0 when it had been already.
   */
  static final Script FINISH =
      new Script(
          """
          if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
          if ARGV[3] ~= '' then redis.call('SADD', KEYS[3], ARGV[3]) end
          if #ARGV > 3 then redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4)) end
          redis.call('XDEL', KEYS[1], ARGV[2])
          redis.call('DEL', KEYS[4])
          return 1
          """);

  /**
   * Gives back an entry its consumer took and never started (shutdown, budget, halt), so that
   * another worker can take it at once and the delivery does not count: adds the entry's fields
   * again as a new entry, with {@code prior_deliveries} set to the deliveries that did count, and
   * acknowledges and deletes the old one, all at once, so the stream's length (the back-pressure
   * measure) stays the same. Only while the entry is still the consumer's: one another worker has
   * claimed meanwhile is that worker's. KEYS: job stream. ARGV: group, entry id, consumer, prior
   * deliveries. Returns 1 when given back, 0 when no longer pending (settled, or by an earlier
   * try of this call), -1 when another consumer owns it now.
   */
  static final Script RELEASE =
      new Script(
          """
          local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
          if not p[1] then return 0 end
          if p[1][2] ~= ARGV[3] then return -1 end
          local e = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
          redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
          if not e[1] then return 0 end
          local fields = {}
          local old = e[1][2]
          for i = 1, #old, 2 do
            if old[i] ~= 'prior_deliveries' then
              fields[#fields + 1] = old[i]
              fields[#fields + 1] = old[i + 1]
            end
          end
          if tonumber(ARGV[4]) > 0 then
            fields[#fields + 1] = 'prior_deliveries'
            fields[#fields + 1] = ARGV[4]
          end
          redis.call('XADD', KEYS[1], '*', unpack(fields))
          redis.call('XDEL', KEYS[1], ARGV[2])
          return 1
          """);

  /**
   * The heartbeat: resets the idle time of the entries a consumer still owns, without counting a
   * delivery; an entry another worker has taken over is left alone (a plain XCLAIM would take it
   * back from under it), and one no longer pending (just settled) too. KEYS: job stream. ARGV:
   * group, consumer, entry ids. Returns the ids another consumer owns now.
   */
  static final Script TOUCH =
      new Script(
          """
          local lost = {}
          for i = 3, #ARGV do
            local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
            if p[1] then
              if p[1][2] == ARGV[2] then
                redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
              else
                lost[#lost + 1] = ARGV[i]
              end
            end
          end
          return lost
          """);

  /**
   * Removes a consumer from the group when it holds no entry, so that stopped workers do not pile
   * up in XINFO CONSUMERS; one that holds entries stays, since deleting it would drop them. KEYS:
   * job stream. ARGV: group, consumer. Returns 1 when removed.
   */
  static final Script RETIRE =
      new Script(
          """
          if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
          redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
          return 1
          """);

  private QueueScripts() {}

  /** A script sent by its SHA-1 and, when Redis does not know it (after a restart), by its text. */
  static final class Script {
    private final String body;
    private final String sha;

    Script(String body) {
      this.body = body;
      try {
        this.sha =
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    <T> T run(RedisClusterCommands<String, String> redis, ScriptOutputType type, String[] keys, String... args) {
      try {
        return redis.evalsha(sha, type, keys, args);
      } catch (RedisNoScriptException e) {
        return redis.eval(body, type, keys, args);
      }
    }
  }
}

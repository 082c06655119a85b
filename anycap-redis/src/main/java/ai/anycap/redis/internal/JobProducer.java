package ai.anycap.redis.internal;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobReader;
import ai.anycap.pipeline.JobSource;
import ai.anycap.redis.RedisQueueException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer side: reads a source lazily and adds its jobs in batches, each batch in one atomic
 * script ({@link QueueScripts#ENQUEUE}) that refuses it while the stream holds more than the
 * maximum of unfinished jobs. Since workers delete a job's entry when they finish it (success or
 * dead letter), the stream's length is exactly the number of jobs waiting or being worked, so
 * checking it inside the script is back-pressure without a race between producers. A batch whose
 * answer was lost to a dropped connection is sent again; the script knows it by the producer's id
 * and the batch number and does not add it twice.
 */
public final class JobProducer {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.redis");
  private static final long FULL_POLL_FLOOR_MILLIS = 20;
  private static final long FULL_POLL_CEILING_MILLIS = 500;

  private final QueueSettings settings;
  private final RedisLink link;
  private final BooleanSupplier closed;

  public JobProducer(QueueSettings settings, RedisLink link, BooleanSupplier closed) {
    this.settings = settings;
    this.link = link;
    this.closed = closed;
  }

  public long enqueueAll(JobSource source) {
    String producer = UUID.randomUUID().toString();
    long batches = 0;
    long added = 0;
    boolean groupReady = false;
    try (JobReader reader = source.open()) {
      List<String> batch = new ArrayList<>(settings.batchSize());
      boolean more = true;
      while (more) {
        Optional<ImageJob> next = reader.next();
        if (next.isPresent()) {
          batch.add(next.get().toJson());
        } else {
          more = false;
        }
        if (batch.size() == settings.batchSize() || (!more && !batch.isEmpty())) {
          if (!groupReady) {
            retrying("creating group " + settings.group() + " on " + settings.stream(), added, () -> {
              StreamGroups.ensure(link.commands(), settings);
              return 0L;
            });
            groupReady = true;
          }
          added += add(producer, ++batches, batch, added);
          batch.clear();
        }
      }
    } finally {
      forget(producer);
    }
    log.info("enqueued {} jobs from {} on {}", added, source.description(), settings.stream());
    return added;
  }

  /** Adds one batch, waiting while the stream is full. */
  private long add(String producer, long number, List<String> jobs, long addedSoFar) {
    String[] keys = {settings.stream(), settings.producersKey()};
    String[] args = new String[jobs.size() + 3];
    args[0] = producer;
    args[1] = Long.toString(number);
    args[2] = Long.toString(settings.maxStreamLength());
    for (int i = 0; i < jobs.size(); i++) {
      args[i + 3] = jobs.get(i);
    }
    Backoff full = new Backoff(FULL_POLL_FLOOR_MILLIS, FULL_POLL_CEILING_MILLIS);
    boolean waited = false;
    while (true) {
      long r =
          retrying("adding jobs to " + settings.stream(), addedSoFar,
              () -> QueueScripts.ENQUEUE.<Long>run(link.commands(), ScriptOutputType.INTEGER, keys, args));
      if (r == -2) {
        if (!waited) {
          log.debug("{} holds {} or more unfinished jobs; waiting for workers", settings.stream(),
              settings.maxStreamLength());
          waited = true;
        }
        pause(full.next(), addedSoFar);
        continue;
      }
      // -1: an earlier try added the batch and its answer was lost.
      return r == -1 ? jobs.size() : r;
    }
  }

  /** Runs a command, retrying through outages for up to the reconnect timeout. */
  private long retrying(String what, long addedSoFar, java.util.function.LongSupplier command) {
    Backoff backoff = new Backoff(50, 2_000);
    long outageStart = 0;
    while (true) {
      if (closed.getAsBoolean()) {
        throw new RedisQueueException("the queue was closed while " + what + "; " + addedSoFar + " jobs were added");
      }
      try {
        return command.getAsLong();
      } catch (RuntimeException e) {
        if (e instanceof IllegalStateException && closed.getAsBoolean()) {
          continue;
        }
        if (!RedisErrors.transientFailure(e)) {
          throw new RedisQueueException(what + " failed: " + e.getMessage() + "; " + addedSoFar + " jobs were added", e);
        }
        long now = System.nanoTime();
        if (outageStart == 0) {
          outageStart = now;
          log.warn("{} failed ({}); retrying for up to {}", what, e.getMessage(), settings.reconnectTimeout());
        } else if (now - outageStart > settings.reconnectTimeout().toNanos()) {
          throw new RedisQueueException(
              "Redis stayed unreachable for " + settings.reconnectTimeout() + " while " + what + "; "
                  + addedSoFar + " jobs were added", e);
        }
        pause(backoff.next(), addedSoFar);
      }
    }
  }

  private static void pause(long millis, long addedSoFar) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisQueueException("interrupted while enqueueing; " + addedSoFar + " jobs were added", e);
    }
  }

  /** Drops the producer's batch counter: no retry of its batches can come any more. */
  private void forget(String producer) {
    try {
      if (!closed.getAsBoolean()) {
        link.commands().hdel(settings.producersKey(), producer);
      }
    } catch (RuntimeException e) {
      log.debug("could not remove producer {} from {} (it expires by itself): {}", producer,
          settings.producersKey(), e.toString());
    }
  }
}

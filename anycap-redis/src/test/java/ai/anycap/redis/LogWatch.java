package ai.anycap.redis;

import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * A logback appender a test waits on: {@link #line(String)} completes when a matching message is
 * logged, so a test waits for the event itself rather than polling the log. Attach it with {@link
 * #attach(String)} before the awaited lines can be logged; close it to detach. Thread-safe.
 */
final class LogWatch extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final List<String> lines = new ArrayList<>();
  private final List<Map.Entry<String, CompletableFuture<String>>> waiting = new ArrayList<>();

  private LogWatch(Logger logger) {
    this.logger = logger;
  }

  /** Watches the messages of {@code loggerName} (and the loggers below it). */
  static LogWatch attach(String loggerName) {
    Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
    LogWatch watch = new LogWatch(logger);
    watch.setContext(logger.getLoggerContext());
    watch.setName("log-watch-" + loggerName);
    watch.start();
    logger.addAppender(watch);
    return watch;
  }

  /** Completes with the first message containing {@code text}, logged already or later. */
  synchronized CompletableFuture<String> line(String text) {
    for (String l : lines) {
      if (l.contains(text)) {
        return CompletableFuture.completedFuture(l);
      }
    }
    CompletableFuture<String> f = new CompletableFuture<>();
    waiting.add(Map.entry(text, f));
    return f;
  }

  /** Waits for {@code line}; fails after {@code timeout}, showing what was logged. */
  String await(CompletableFuture<String> line, String what, Duration timeout) {
    try {
      return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return fail("timed out after " + timeout + " waiting for " + what + "; logged: " + lines());
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted waiting for " + what);
    }
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  // AppenderBase.doAppend holds this object's lock while it calls append.
  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    lines.add(message);
    for (Iterator<Map.Entry<String, CompletableFuture<String>>> it = waiting.iterator(); it.hasNext(); ) {
      Map.Entry<String, CompletableFuture<String>> w = it.next();
      if (message.contains(w.getKey())) {
        w.getValue().complete(message);
        it.remove();
      }
    }
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}

package ai.anycap.testkit.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request on its way through the simulator, answered exactly once, possibly from another
 * thread long after the handler returned. The request is counted with its status before the first
 * byte of the answer goes out, so a client that has the answer finds it counted. A client that
 * went away while the answer was pending is not an error: the answer is dropped.
 */
final class Call {

  private final HttpExchange exchange;
  private final String endpoint;
  private final boolean generate;
  private final LiveCounters counters;
  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile String fingerprint;
  private volatile int historyIndex = -1;
  private volatile String fault;

  Call(HttpExchange exchange, String endpoint, boolean generate, LiveCounters counters) {
    this.exchange = exchange;
    this.endpoint = endpoint;
    this.generate = generate;
    this.counters = counters;
    counters.started(generate);
  }

  HttpExchange exchange() {
    return exchange;
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** Ties a generate call to its body, so its answer joins that body's history. */
  void body(String fingerprint) {
    this.historyIndex = counters.arrived(fingerprint);
    this.fingerprint = fingerprint;
  }

  /** Marks the answer as shaped by a fault (its spec name), for the body's history. */
  void fault(String specName) {
    this.fault = specName;
  }

  /** Claims the answer and counts it; false when the call was answered already. */
  private boolean claim(int status) {
    if (!answered.compareAndSet(false, true)) {
      return false;
    }
    if (fingerprint != null) {
      counters.answered(fingerprint, historyIndex, fault == null ? Integer.toString(status) : status + " " + fault);
    }
    counters.finished(endpoint, status, generate);
    return true;
  }

  void json(int status, byte[] body) {
    send(status, "application/json", body, null);
  }

  void json(int status, byte[] body, String retryAfter) {
    send(status, "application/json", body, retryAfter);
  }

  void send(int status, String contentType, byte[] body, String retryAfter) {
    if (!claim(status)) {
      return;
    }
    try {
      var h = exchange.getResponseHeaders();
      h.set("Content-Type", contentType);
      if (retryAfter != null) {
        h.set("Retry-After", retryAfter);
      }
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException | RuntimeException clientGone) {
      // The client hung up or timed out; the server-side outcome stands.
    } finally {
      exchange.close();
    }
  }

  /** Closes the connection without answering. */
  void reset() {
    if (claim(0)) {
      exchange.close();
    }
  }

  /** Promises {@code body.length} bytes, sends {@code sent} of them and closes the connection. */
  void truncated(String contentType, byte[] body, int sent) {
    if (!claim(200)) {
      return;
    }
    try {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(200, body.length);
      OutputStream out = exchange.getResponseBody();
      out.write(body, 0, sent);
      out.flush();
    } catch (IOException | RuntimeException clientGone) {
      // Nothing to do: the body was going to break off anyway.
    } finally {
      exchange.close();
    }
  }

  /**
   * Sends the body in slices of {@code chunk} bytes, one every {@code intervalNanos}, writing on
   * {@code workers} so that a slow reader never blocks the scheduler.
   */
  void trickle(
      String contentType,
      byte[] body,
      int chunk,
      long intervalNanos,
      ScheduledExecutorService scheduler,
      Executor workers) {
    if (!claim(200)) {
      return;
    }
    OutputStream out;
    try {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(200, body.length);
      out = exchange.getResponseBody();
    } catch (IOException | RuntimeException clientGone) {
      exchange.close();
      return;
    }
    new Runnable() {
      int offset;

      @Override
      public void run() {
        try {
          int n = Math.min(chunk, body.length - offset);
          out.write(body, offset, n);
          out.flush();
          offset += n;
          if (offset >= body.length) {
            out.close();
            exchange.close();
            return;
          }
          Runnable next = this;
          scheduler.schedule(() -> workers.execute(next), intervalNanos, TimeUnit.NANOSECONDS);
        } catch (IOException | RuntimeException clientGone) {
          exchange.close();
        }
      }
    }.run();
  }
}

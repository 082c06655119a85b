package ai.anycap.client.internal;

import ai.anycap.client.AnyCapIoException;
import ai.anycap.client.AnyCapServiceException;
import ai.anycap.client.DownloadException;
import ai.anycap.client.ExchangeListener;
import ai.anycap.client.ExchangeRequest;
import ai.anycap.client.ExchangeResult;
import ai.anycap.client.UploadException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the client's {@link ExchangeListener} of each exchange, timing it and naming its error
 * code, so that the transport, the downloader and the uploader report exchanges alike. A listener
 * that throws is logged and never fails the exchange.
 */
public final class Exchanges {

  private static final Logger log = LoggerFactory.getLogger("ai.anycap.client");

  /** Tells nobody. */
  public static final Exchanges NONE = new Exchanges(ExchangeListener.NONE);

  private final ExchangeListener listener;

  public Exchanges(ExchangeListener listener) {
    this.listener = listener;
  }

  /** Tells the listener an exchange is about to be sent; call just before sending it. */
  public Started start(String endpoint, String traceId) {
    ExchangeListener.Exchange exchange;
    try {
      exchange = listener.onRequest(new ExchangeRequest(endpoint, traceId));
    } catch (RuntimeException e) {
      log.warn("exchange listener failed on {}: {}", endpoint, e.toString(), e);
      exchange = null;
    }
    return new Started(endpoint, exchange == null ? ExchangeListener.Exchange.IGNORED : exchange);
  }

  /** One exchange under way; its end is told once, whichever path ends it first. */
  public static final class Started {
    private final String endpoint;
    private final ExchangeListener.Exchange exchange;
    private final long startedNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();

    private Started(String endpoint, ExchangeListener.Exchange exchange) {
      this.endpoint = endpoint;
      this.exchange = exchange;
    }

    /**
     * Tells how the exchange ended.
     *
     * @param status the answer's status, or 0 when none came
     * @param failure what the caller's future fails with, or null on success
     */
    public void end(int status, String requestId, Throwable failure) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      Throwable cause = failure == null ? null : ApiTransport.unwrap(failure);
      ExchangeResult result = new ExchangeResult(
          status, cause == null ? null : errorCode(cause), requestId,
          Duration.ofNanos(System.nanoTime() - startedNanos), cause);
      try {
        exchange.onEnd(result);
      } catch (RuntimeException e) {
        log.warn("exchange listener failed on {}: {}", endpoint, e.toString(), e);
      }
    }
  }

  /** The code a failed exchange reports: as a failed pipeline job reports it. */
  static String errorCode(Throwable e) {
    if (e instanceof AnyCapServiceException s) {
      return s.errorCode().orElse("HTTP_" + s.statusCode());
    }
    if (e instanceof AnyCapIoException) {
      return "TRANSPORT";
    }
    if (e instanceof DownloadException d) {
      return "DOWNLOAD_" + d.reason();
    }
    if (e instanceof UploadException u) {
      return "UPLOAD_" + u.reason();
    }
    return "INTERNAL";
  }
}

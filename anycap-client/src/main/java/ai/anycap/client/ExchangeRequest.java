package ai.anycap.client;

import java.util.Objects;

/**
 * An HTTP exchange about to be sent, as an {@link ExchangeListener} hears of it.
 *
 * @param endpoint the method and route, never a full URL: {@code POST /v1/image/generate}, {@code
 *     GET /v1/image/models/{model}/schema}, {@link #DOWNLOAD} or {@link #UPLOAD}
 * @param traceId the {@code X-Trace-Id} sent with an API call, or null for downloads and uploads
 *     (they go to storage, not to the API)
 */
public record ExchangeRequest(String endpoint, String traceId) {

  /** The endpoint of an image download from its pre-signed artifact URL. */
  public static final String DOWNLOAD = "GET {artifact}";

  /** The endpoint of a reference upload's {@code PUT} to its pre-signed upload URL. */
  public static final String UPLOAD = "PUT {upload}";

  /**
   * An exchange.
   *
   * @param endpoint the method and route, not null
   * @param traceId the trace id, or null
   */
  public ExchangeRequest {
    Objects.requireNonNull(endpoint, "endpoint");
  }
}

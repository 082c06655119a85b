package ai.anycap.client;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link Images#read(ImageReadRequest)}: what the server says about the images, and
 * what it cost. Immutable.
 */
public final class ImageReading {

  private final String content;
  private final BigDecimal creditCost;
  private final String requestId;
  private final String traceId;

  /**
   * @param content the server's text ({@code data.content})
   * @param creditCost credits charged ({@code data.credit_cost}; zero when the answer gives none)
   * @param requestId the server's request id, or null when it sent none
   * @param traceId the {@code X-Trace-Id} sent with the request
   */
  public ImageReading(String content, BigDecimal creditCost, String requestId, String traceId) {
    this.content = Objects.requireNonNull(content, "content");
    this.creditCost = Objects.requireNonNull(creditCost, "creditCost");
    this.requestId = requestId;
    this.traceId = Objects.requireNonNull(traceId, "traceId");
  }

  /**
   * The server's text about the images.
   *
   * @return the text
   */
  public String content() {
    return content;
  }

  /**
   * Credits charged ({@code credit_cost}).
   *
   * @return the credits
   */
  public BigDecimal creditCost() {
    return creditCost;
  }

  /**
   * The server's request id.
   *
   * @return the id, when the server sent one
   */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /**
   * The {@code X-Trace-Id} sent with the request.
   *
   * @return the trace id
   */
  public String traceId() {
    return traceId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageReading r
        && content.equals(r.content)
        && creditCost.compareTo(r.creditCost) == 0
        && Objects.equals(requestId, r.requestId)
        && traceId.equals(r.traceId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(content, creditCost.stripTrailingZeros(), requestId, traceId);
  }

  @Override
  public String toString() {
    return "ImageReading{creditCost=" + creditCost.toPlainString() + ", requestId=" + requestId
        + ", traceId=" + traceId + ", content=" + content.length() + " chars}";
  }
}

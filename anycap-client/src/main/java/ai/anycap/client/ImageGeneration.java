package ai.anycap.client;

import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A successful generation: the model that ran, what it cost in credits, and where to download the
 * images. Output URLs are pre-signed and may expire, so download them soon. Immutable.
 */
public final class ImageGeneration {

  private final String model;
  private final BigDecimal creditCost;
  private final List<URI> outputs;
  private final String requestId;
  private final String traceId;

  /**
   * Used by the client when it reads an answer; public so that tests and simulators can build one.
   *
   * @param model the model id the server reports having used
   * @param creditCost credits charged for this generation
   * @param outputs the generated images' URLs, usually one
   * @param requestId the server's request id, or null when it sent none
   * @param traceId the {@code X-Trace-Id} sent with the request
   */
  public ImageGeneration(
      String model, BigDecimal creditCost, List<URI> outputs, String requestId, String traceId) {
    this.model = Objects.requireNonNull(model, "model");
    this.creditCost = Objects.requireNonNull(creditCost, "creditCost");
    this.outputs = List.copyOf(outputs);
    this.requestId = requestId;
    this.traceId = Objects.requireNonNull(traceId, "traceId");
  }

  /**
   * The model that ran.
   *
   * @return the model id the server reports having used
   */
  public String model() {
    return model;
  }

  /**
   * Credits charged for this generation ({@code credit_cost}).
   *
   * @return the credits, as the server reported them
   */
  public BigDecimal creditCost() {
    return creditCost;
  }

  /**
   * The generated images' download URLs, pre-signed and expiring.
   *
   * @return in the server's order, usually one; unmodifiable
   */
  public List<URI> outputs() {
    return outputs;
  }

  /**
   * The first output URL, for the usual one-image generation.
   *
   * @return the first of {@link #outputs()}
   * @throws IllegalStateException when the server returned no output
   */
  public URI firstOutput() {
    if (outputs.isEmpty()) {
      throw new IllegalStateException("generation " + requestId().orElse(traceId) + " has no outputs");
    }
    return outputs.get(0);
  }

  /**
   * The server's request id, to quote to AnyCap support.
   *
   * @return the id, or empty when the server sent none
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
    return o instanceof ImageGeneration g
        && model.equals(g.model)
        && creditCost.compareTo(g.creditCost) == 0
        && outputs.equals(g.outputs)
        && Objects.equals(requestId, g.requestId)
        && traceId.equals(g.traceId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, creditCost.stripTrailingZeros(), outputs, requestId, traceId);
  }

  @Override
  public String toString() {
    return "ImageGeneration{model="
        + model
        + ", creditCost="
        + creditCost.toPlainString()
        + ", outputs="
        + outputs.size()
        + ", requestId="
        + requestId
        + ", traceId="
        + traceId
        + '}';
  }
}

package ai.anycap.micrometer.internal;

import ai.anycap.client.ExchangeListener;
import ai.anycap.client.ExchangeRequest;
import ai.anycap.micrometer.AnyCapObservability;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * An Observation per client exchange: started on the sending thread just before the request goes
 * (so a span has its real start and the caller's span as parent), stopped when the outcome is
 * known, with the status and error code as tags and the ids as span attributes only.
 */
public final class ClientObservations implements ExchangeListener {

  private final ObservationRegistry registry;

  public ClientObservations(ObservationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Exchange onRequest(ExchangeRequest request) {
    Observation observation = Observation.createNotStarted(AnyCapObservability.CLIENT_REQUESTS, registry)
        .contextualName(request.endpoint())
        .lowCardinalityKeyValue("endpoint", request.endpoint());
    if (request.traceId() != null) {
      observation.highCardinalityKeyValue("anycap.trace.id", request.traceId());
    }
    observation.start();
    return result -> {
      observation.lowCardinalityKeyValue("status", result.status() == 0 ? "NONE" : String.valueOf(result.status()));
      observation.lowCardinalityKeyValue("error.code", result.errorCode() == null ? "none" : result.errorCode());
      if (result.requestId() != null) {
        observation.highCardinalityKeyValue("anycap.request.id", result.requestId());
      }
      if (result.failure() != null) {
        observation.error(result.failure());
      }
      observation.stop();
    };
  }
}

package ai.anycap.testkit;

import ai.anycap.client.ImageRequest;
import ai.anycap.testkit.internal.SimJson;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an {@link AnyCapSimulator} has seen, taken at one moment by {@link
 * AnyCapSimulator#counters()}: requests by endpoint and status, images generated, credits charged,
 * concurrency, and how often each distinct request was generated.
 *
 * <pre>{@code
 * SimulatorCounters c = sim.counters();
 * assertThat(c.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(100);
 * assertThat(c.duplicateGenerations()).isZero();          // no image generated twice
 * assertThat(c.peakGeneratesInFlight()).isLessThanOrEqualTo(8);
 * }</pre>
 *
 * <p>A request is counted, with its status, just before the simulator starts to answer it, so a
 * client that has its answer always finds the request counted. It is in flight from its arrival
 * until then; so {@link #peakInFlight()} never exceeds what the client had outstanding. Requests
 * that got no answer (a reset) count under status 0; a hung request counts when it is answered.
 * Immutable; each field is exact, but fields read while requests run may be a few requests apart.
 *
 * @param requests request counts by endpoint (one of the constants here) and HTTP status
 * @param imagesGenerated images generated and charged, including those whose answer never reached
 *     the client
 * @param creditsCharged credits taken from the balance
 * @param inFlight requests being served at this moment
 * @param peakInFlight the most requests served at once, across all endpoints
 * @param peakGeneratesInFlight the most generate requests served at once
 * @param generationsByRequest how often each distinct generate body was generated, keyed by the
 *     body in canonical form (fields sorted); the first 250,000 distinct bodies are tracked
 * @param protocolViolations distinct ways clients broke the protocol: an API call without a
 *     Bearer key or {@code X-Trace-Id}, a JSON body sent without {@code Content-Type:
 *     application/json}, an {@code Authorization} header sent to an artifact URL
 * @param rateLimitUnusedPermits with a {@link AnyCapSimulatorBuilder#rateLimit rate limit}: the
 *     permits it refilled while its bucket was full, up to the last generate request, that is the
 *     capacity no client used. A client that keeps the limit busy leaves few; one that waits
 *     too long (after 429s) leaves many. See {@link #rateLimitUse()}.
 * @param edits edits carried out and charged ({@code POST /v1/image/edit})
 * @param upscales upscales carried out and charged ({@code POST /v1/image/upscale})
 * @param reads image reads carried out and charged ({@code POST /v1/capabilities/image/read})
 * @param presigns presign calls answered with success, whether {@code reused} or not
 * @param reusedUploads presigns answered {@code reused: true}: the simulator had the bytes, so
 *     no upload was needed
 * @param uploads uploads whose bytes were checked (length, SHA-256) and stored
 * @param uploadBytes bytes received by the upload endpoint, stored or refused
 */
public record SimulatorCounters(
    Map<String, Map<Integer, Long>> requests,
    long imagesGenerated,
    long creditsCharged,
    int inFlight,
    int peakInFlight,
    int peakGeneratesInFlight,
    Map<String, Long> generationsByRequest,
    Set<String> protocolViolations,
    long rateLimitUnusedPermits,
    long edits,
    long upscales,
    long reads,
    long presigns,
    long reusedUploads,
    long uploads,
    long uploadBytes) {

  /** {@code POST /v1/image/generate} */
  public static final String GENERATE = "POST /v1/image/generate";
  /** {@code GET /v1/image/models} */
  public static final String MODELS = "GET /v1/image/models";
  /** {@code GET /v1/image/models/{model}} */
  public static final String MODEL = "GET /v1/image/models/{model}";
  /** {@code GET /v1/image/models/{model}/schema} */
  public static final String SCHEMA = "GET /v1/image/models/{model}/schema";
  /** {@code GET /v1/status} */
  public static final String STATUS = "GET /v1/status";
  /** Artifact downloads, {@code GET /artifacts/{id}.png}. */
  public static final String DOWNLOAD = "GET /artifacts/{id}";
  /** {@code POST /v1/image/edit} */
  public static final String EDIT = "POST /v1/image/edit";
  /** {@code POST /v1/image/upscale} */
  public static final String UPSCALE = "POST /v1/image/upscale";
  /** {@code POST /v1/capabilities/image/read} */
  public static final String READ = "POST /v1/capabilities/image/read";
  /** {@code POST /v1/capabilities/presign} */
  public static final String PRESIGN = "POST /v1/capabilities/presign";
  /** The {@code PUT} of an upload's bytes to the {@code upload_url}, {@code /uploads/{session}}. */
  public static final String UPLOAD = "PUT /uploads/{session}";
  /** Fetches of an uploaded file by its {@code object_url}, {@code GET /objects/{file}}. */
  public static final String OBJECT = "GET /objects/{file}";
  /** Any other method or path. */
  public static final String OTHER = "other";

  /**
   * A snapshot; the simulator makes these, tests may too. Copies every map and set, so the
   * snapshot cannot change.
   *
   * @param requests counts by endpoint and status
   * @param imagesGenerated images generated and charged
   * @param creditsCharged credits taken
   * @param inFlight requests being served now
   * @param peakInFlight most requests at once
   * @param peakGeneratesInFlight most generate requests at once
   * @param generationsByRequest generations by canonical body
   * @param protocolViolations how clients broke the protocol
   * @param rateLimitUnusedPermits rate-limit capacity left unused
   * @param edits edits carried out and charged
   * @param upscales upscales carried out and charged
   * @param reads image reads carried out and charged
   * @param presigns presign calls answered with success
   * @param reusedUploads presigns answered {@code reused: true}
   * @param uploads uploads whose bytes were checked and stored
   * @param uploadBytes bytes received by the upload endpoint
   * @throws NullPointerException when a map or set is null
   */
  public SimulatorCounters {
    Objects.requireNonNull(requests, "requests");
    Map<String, Map<Integer, Long>> copy = new java.util.HashMap<>();
    requests.forEach((endpoint, byStatus) -> copy.put(endpoint, Map.copyOf(byStatus)));
    requests = Map.copyOf(copy);
    generationsByRequest = Map.copyOf(generationsByRequest);
    protocolViolations = Set.copyOf(protocolViolations);
  }

  /**
   * All requests to {@code endpoint}, whatever their status.
   *
   * @param endpoint one of the constants here, such as {@link #GENERATE}
   * @return the count; 0 for an endpoint never called
   */
  public long requests(String endpoint) {
    return requests.getOrDefault(endpoint, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Requests to {@code endpoint} answered with {@code status}.
   *
   * @param endpoint one of the constants here, such as {@link #GENERATE}
   * @param status an HTTP status, or 0 for requests that got no answer (a reset)
   * @return the count
   */
  public long requests(String endpoint, int status) {
    return requests.getOrDefault(endpoint, Map.of()).getOrDefault(status, 0L);
  }

  /**
   * How often the simulator generated an image for exactly this request's body.
   *
   * @param request the request, compared by the JSON body it sends
   * @return 0 when never; more than 1 means it was generated (and charged) again
   */
  public long timesGenerated(ImageRequest request) {
    Objects.requireNonNull(request, "request");
    return generationsByRequest.getOrDefault(SimJson.fingerprint(request.toBody()), 0L);
  }

  /**
   * The share of the rate limit's capacity that clients used: generate requests let through by
   * the limit over those plus {@link #rateLimitUnusedPermits()}. 1 means the limit was never idle
   * while requests were coming; measured by the simulator on its own clock.
   *
   * @return between 0 and 1; 0 without a rate limit or before any generate request
   */
  public double rateLimitUse() {
    long admitted = requests(GENERATE) - requests(GENERATE, 429);
    long offered = admitted + rateLimitUnusedPermits;
    return offered == 0 ? 0 : (double) admitted / offered;
  }

  /**
   * Generations of a body that had been generated before.
   *
   * @return 0 when nothing was generated twice
   */
  public long duplicateGenerations() {
    return generationsByRequest.values().stream().mapToLong(n -> n - 1).sum();
  }
}

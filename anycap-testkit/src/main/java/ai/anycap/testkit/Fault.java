package ai.anycap.testkit;

import ai.anycap.testkit.internal.FaultShape;
import ai.anycap.testkit.internal.FaultSpec;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One failure the {@link AnyCapSimulator} injects: what goes wrong, and on which requests.
 *
 * <pre>{@code
 * AnyCapSimulator.builder()
 *     .fault(Fault.serverError(503).probability(0.1))          // one generate in ten
 *     .fault(Fault.rateLimited(Duration.ofSeconds(2)).onNthRequest(3))
 *     .fault(Fault.truncatedDownload().onRequests(1, 2))        // the first two downloads
 *     .seed(42)
 *     .start();
 * }</pre>
 *
 * <p>The kind decides the endpoints it hits, its {@link FaultKind.Target}: {@link #truncatedDownload()},
 * {@link #artifactStatus(int)} and {@link #slowDownload(long)} hit artifact downloads; {@link
 * #presignStatus(int)} hits {@code POST /v1/capabilities/presign}; {@link #uploadStatus(int)} and
 * {@link #slowUpload(Duration)} hit the {@code PUT} of an upload's bytes; every other kind hits the
 * image operations: {@code POST /v1/image/generate}, {@code /v1/image/edit}, {@code
 * /v1/image/upscale} and {@code /v1/capabilities/image/read}, counted together. A fault fires on
 * every request to its endpoints unless narrowed with {@link
 * #probability(double)}, {@link #onNthRequest(int)} or {@link #onRequests(int...)}; request numbers
 * count from 1, per fault, from the moment it is installed, and include requests another fault
 * took: faults act first, before the key check, the rate limit and validation, as a failing
 * network or proxy would. When several faults fire on one request, the first installed wins.
 * Probabilities are drawn from the simulator's seed and the request number, so a run with the same
 * seed and the same order of requests fails the same requests.
 *
 * <p>Generate faults fire <em>before</em> the generation by default: nothing is generated or
 * charged. {@link #afterGeneration()} moves them after it, so the image is generated and charged
 * but the client does not get the answer, which is how a real server bills work its client never
 * saw. {@link #malformedJson()} always fires after.
 *
 * <p>Immutable and thread-safe; every modifier returns a new fault. {@link #toString()} gives the
 * spec that {@link #parse(String)} reads and that {@code SimulatorMain --fault} takes.
 */
public final class Fault {

  private final FaultShape shape;

  private Fault(FaultShape shape) {
    this.shape = shape;
  }

  private static Fault of(FaultKind kind, int status, Duration duration, long bytesPerSecond) {
    return new Fault(new FaultShape(
        kind, status, duration, bytesPerSecond, 1.0, Collections.emptySortedSet(),
        kind == FaultKind.MALFORMED_JSON, false, false));
  }

  // ---- generate faults ----

  /**
   * Answers generate with {@code status} (500 to 599) and a structured error envelope whose
   * {@code retry_same_request} is true. {@link #flatEnvelope()} switches to the older flat one.
   *
   * @param status 500 to 599
   * @return a fault firing on every generate request
   */
  public static Fault serverError(int status) {
    if (status < 500 || status > 599) {
      throw new IllegalArgumentException("serverError needs a 5xx status, got " + status);
    }
    return of(FaultKind.SERVER_ERROR, status, Duration.ZERO, 0);
  }

  /**
   * Answers generate with 429, code {@code RATE_LIMITED} and {@code Retry-After} in whole seconds
   * (rounded up); {@link #httpDate()} sends it as an HTTP date instead.
   *
   * @param retryAfter not negative
   * @return a fault firing on every generate request
   */
  public static Fault rateLimited(Duration retryAfter) {
    return of(FaultKind.RATE_LIMITED, 429, nonNegative(retryAfter, "retryAfter"), 0);
  }

  /**
   * Answers generate with 500, code {@code IMAGE_INTERNAL_ERROR} and {@code retry_same_request:
   * false}: a 5xx the client must not retry as is, because the server says so.
   *
   * @return a fault firing on every generate request
   */
  public static Fault doNotRetry() {
    return of(FaultKind.DO_NOT_RETRY, 500, Duration.ZERO, 0);
  }

  /**
   * Closes the connection without answering. The client sees the connection drop while waiting
   * for the response (an {@code AnyCapIoException}).
   *
   * @return a fault firing on every generate request
   */
  public static Fault resetConnection() {
    return of(FaultKind.RESET_CONNECTION, 0, Duration.ZERO, 0);
  }

  /**
   * Sends nothing for {@code duration}, then answers as it would have; a client with a shorter
   * timeout gives up first. Holds no thread while it waits.
   *
   * @param duration positive
   * @return a fault firing on every generate request
   */
  public static Fault hang(Duration duration) {
    return of(FaultKind.HANG, 0, positive(duration, "duration"), 0);
  }

  /**
   * Answers 200 with a success body cut off in the middle. The image was generated and charged:
   * the client paid for an answer it cannot read.
   *
   * @return a fault firing on every generate request, always after the generation
   */
  public static Fault malformedJson() {
    return of(FaultKind.MALFORMED_JSON, 200, Duration.ZERO, 0);
  }

  // ---- download faults ----

  /**
   * Sends the full {@code Content-Length} but only half the image bytes, then closes.
   *
   * @return a fault firing on every artifact download
   */
  public static Fault truncatedDownload() {
    return of(FaultKind.TRUNCATED_DOWNLOAD, 200, Duration.ZERO, 0);
  }

  /**
   * Answers the artifact URL with 403 (as an expired signature would) or 404.
   *
   * @param status 403 or 404
   * @return a fault firing on every artifact download
   */
  public static Fault artifactStatus(int status) {
    if (status != 403 && status != 404) {
      throw new IllegalArgumentException("artifactStatus takes 403 or 404, got " + status);
    }
    return of(FaultKind.ARTIFACT_STATUS, status, Duration.ZERO, 0);
  }

  /**
   * Sends the image at {@code bytesPerSecond}, in chunks twenty times a second.
   *
   * @param bytesPerSecond positive
   * @return a fault firing on every artifact download
   */
  public static Fault slowDownload(long bytesPerSecond) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bytesPerSecond must be positive, got " + bytesPerSecond);
    }
    return of(FaultKind.SLOW_DOWNLOAD, 200, Duration.ZERO, bytesPerSecond);
  }

  /**
   * Spreads the image bytes evenly over {@code total}, whatever the image's size.
   *
   * @param total positive
   * @return a fault firing on every artifact download
   */
  public static Fault slowDownload(Duration total) {
    return of(FaultKind.SLOW_DOWNLOAD, 200, positive(total, "total"), 0);
  }

  // ---- upload faults ----

  /**
   * Answers {@code POST /v1/capabilities/presign} with {@code status} (400 to 599) and an error
   * envelope: 413 with code {@code FILE_TOO_LARGE} (flat: {@code file_too_large}), 429 with {@code
   * RATE_LIMITED}, 5xx as {@link #serverError(int)} does. Nothing is presigned.
   *
   * @param status the status
   * @return the fault
   */
  public static Fault presignStatus(int status) {
    return of(FaultKind.PRESIGN_STATUS, errorStatus(status, "presignStatus"), Duration.ZERO, 0);
  }

  /**
   * Answers the {@code PUT} of an upload's bytes with {@code status} (400 to 599), such as 403
   * (an expired upload URL) or 503; the bytes are read but not stored.
   *
   * @param status the status
   * @return the fault
   */
  public static Fault uploadStatus(int status) {
    return of(FaultKind.UPLOAD_STATUS, errorStatus(status, "uploadStatus"), Duration.ZERO, 0);
  }

  /**
   * Answers the {@code PUT} of an upload's bytes only after {@code delay} (the bytes are stored
   * as usual); a client with a shorter upload timeout gives up first. Holds no thread.
   *
   * @param delay how long the answer waits
   * @return the fault
   */
  public static Fault slowUpload(Duration delay) {
    return of(FaultKind.SLOW_UPLOAD, 200, positive(delay, "delay"), 0);
  }

  private static int errorStatus(int status, String what) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException(what + " needs a 4xx or 5xx status, got " + status);
    }
    return status;
  }

  // ---- modifiers ----

  /**
   * Fires on each request with this probability, drawn from the simulator's seed and the request
   * number. Replaces request numbers set before. Default: 1, every request.
   *
   * @param probability 0 to 1
   * @return a new fault; this one is unchanged
   */
  public Fault probability(double probability) {
    if (!(probability >= 0.0 && probability <= 1.0)) {
      throw new IllegalArgumentException("probability must be within [0, 1], got " + probability);
    }
    return new Fault(shape.firing(probability, Collections.emptySortedSet()));
  }

  /**
   * Fires on the {@code n}th request to its endpoint only. Replaces a probability.
   *
   * @param n counting from 1
   * @return a new fault; this one is unchanged
   */
  public Fault onNthRequest(int n) {
    return onRequests(n);
  }

  /**
   * Fires on these request numbers only. Replaces a probability.
   *
   * @param numbers at least one, each counting from 1
   * @return a new fault; this one is unchanged
   */
  public Fault onRequests(int... numbers) {
    Objects.requireNonNull(numbers, "numbers");
    if (numbers.length == 0) {
      throw new IllegalArgumentException("onRequests needs at least one request number");
    }
    TreeSet<Integer> set = new TreeSet<>();
    for (int n : numbers) {
      if (n < 1) {
        throw new IllegalArgumentException("request numbers count from 1, got " + n);
      }
      set.add(n);
    }
    return new Fault(shape.firing(0.0, Collections.unmodifiableSortedSet(set)));
  }

  /**
   * Fires after the image was generated and charged rather than before. For server errors, {@code
   * doNotRetry}, resets and hangs. Default: before, except {@link #malformedJson()}.
   *
   * @return a new fault; this one is unchanged
   * @throws IllegalStateException for download faults and rate limits
   */
  public Fault afterGeneration() {
    FaultKind kind = shape.kind();
    if (kind.target() != FaultKind.Target.IMAGE_OPERATION || kind == FaultKind.RATE_LIMITED) {
      throw new IllegalStateException(kind.specName() + " cannot fire after a generation");
    }
    return new Fault(shape.withAfterGeneration());
  }

  /**
   * Uses the older flat error envelope ({@code {"error":"code","message":..}}) instead of the
   * structured one. For server errors, rate limits and {@code doNotRetry}. Default: structured.
   *
   * @return a new fault; this one is unchanged
   * @throws IllegalStateException for kinds that send no envelope
   */
  public Fault flatEnvelope() {
    FaultKind kind = shape.kind();
    if (kind != FaultKind.SERVER_ERROR && kind != FaultKind.RATE_LIMITED && kind != FaultKind.DO_NOT_RETRY
        && kind != FaultKind.PRESIGN_STATUS) {
      throw new IllegalStateException(kind.specName() + " sends no error envelope");
    }
    return new Fault(shape.withFlatEnvelope());
  }

  /**
   * Sends {@code Retry-After} as an HTTP date (the simulator's clock plus the delay). Default:
   * whole seconds.
   *
   * @return a new fault; this one is unchanged
   * @throws IllegalStateException for kinds other than {@link #rateLimited(Duration)}
   */
  public Fault httpDate() {
    if (shape.kind() != FaultKind.RATE_LIMITED) {
      throw new IllegalStateException("httpDate() applies to rateLimited faults only");
    }
    return new Fault(shape.withHttpDate());
  }

  // ---- accessors ----

  /**
   * What goes wrong.
   *
   * @return the kind, which also decides the endpoint
   */
  public FaultKind kind() {
    return shape.kind();
  }

  /**
   * The HTTP status this fault answers with.
   *
   * @return the status, or 0 when it sends none (reset, hang)
   */
  public int status() {
    return shape.status();
  }

  /**
   * The delay of a {@code rateLimited}, {@code hang} or {@code slowUpload} fault, or the total
   * time of a {@code slowDownload(Duration)}.
   *
   * @return the duration; zero for other kinds
   */
  public Duration duration() {
    return shape.duration();
  }

  /**
   * The rate of a {@code slowDownload(long)}.
   *
   * @return bytes a second, or 0 for other kinds
   */
  public long bytesPerSecond() {
    return shape.bytesPerSecond();
  }

  /**
   * The probability of firing on a request.
   *
   * @return 0 to 1; 0 when it fires on numbered requests only
   */
  public double probability() {
    return shape.probability();
  }

  /**
   * The request numbers it fires on.
   *
   * @return an unmodifiable set; empty when it fires by probability
   */
  public SortedSet<Integer> requests() {
    return shape.requests();
  }

  /**
   * Whether it fires after the image was generated and charged.
   *
   * @return true after {@link #afterGeneration()}, and for {@link #malformedJson()}
   */
  public boolean firesAfterGeneration() {
    return shape.afterGeneration();
  }

  /**
   * Whether its error answer uses the older flat envelope.
   *
   * @return true after {@link #flatEnvelope()}
   */
  public boolean usesFlatEnvelope() {
    return shape.flatEnvelope();
  }

  /**
   * Whether its {@code Retry-After} is an HTTP date rather than seconds.
   *
   * @return true after {@link #httpDate()}
   */
  public boolean usesHttpDate() {
    return shape.httpDate();
  }

  // ---- specs ----

  /**
   * Reads a spec such as {@code server-error:503:p=0.1}, {@code rate-limited:2s:http-date:n=3},
   * {@code hang:500ms:after}, {@code artifact-status:404:on=1,2}, {@code slow-download:2000}
   * (bytes a second; {@code slow-download:2s} spreads the body over two seconds), {@code
   * presign-status:413}, {@code upload-status:503:on=1,2} or {@code slow-upload:2s}. Modifiers
   * after the kind's argument: {@code p=<probability>}, {@code n=<request>}, {@code
   * on=<r1>,<r2>..}, {@code after}, {@code flat}, {@code http-date}. Durations take {@code ms} or
   * {@code s}.
   *
   * @param spec a spec, as {@link #toString()} writes them
   * @return the fault it describes
   * @throws IllegalArgumentException naming what is wrong with the spec
   */
  public static Fault parse(String spec) {
    return FaultSpec.parse(spec);
  }

  private static Duration nonNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
    return d;
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  @Override
  public String toString() {
    return FaultSpec.format(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fault f && shape.equals(f.shape);
  }

  @Override
  public int hashCode() {
    return shape.hashCode();
  }
}

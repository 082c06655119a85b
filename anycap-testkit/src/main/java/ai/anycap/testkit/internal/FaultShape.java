package ai.anycap.testkit.internal;

import ai.anycap.testkit.FaultKind;
import ai.anycap.testkit.Fault;
import java.time.Duration;
import java.util.SortedSet;

/**
 * What a {@link Fault} is made of, as one value: its kind and arguments, when it fires, and how it
 * answers. The public class checks and documents; this record holds, copies and compares.
 *
 * @param kind what goes wrong
 * @param status the HTTP status it answers with, where it answers with one
 * @param duration its delay or Retry-After
 * @param bytesPerSecond a slow download's rate, 0 when it is spread over {@code duration}
 * @param probability the chance it fires on a request, when no request numbers are set
 * @param requests the request numbers it fires on, empty for a probability
 * @param afterGeneration whether it fires after the image was generated and charged
 * @param flatEnvelope whether it answers with the older flat error envelope
 * @param httpDate whether its Retry-After is an HTTP date
 */
public record FaultShape(
    FaultKind kind,
    int status,
    Duration duration,
    long bytesPerSecond,
    double probability,
    SortedSet<Integer> requests,
    boolean afterGeneration,
    boolean flatEnvelope,
    boolean httpDate) {

  /** This fault firing by {@code probability}, or on {@code requests} when there are some. */
  public FaultShape firing(double probability, SortedSet<Integer> requests) {
    return new FaultShape(kind, status, duration, bytesPerSecond, probability, requests, afterGeneration,
        flatEnvelope, httpDate);
  }

  /** This fault, after the generation. */
  public FaultShape withAfterGeneration() {
    return new FaultShape(kind, status, duration, bytesPerSecond, probability, requests, true, flatEnvelope,
        httpDate);
  }

  /** This fault, with the flat envelope. */
  public FaultShape withFlatEnvelope() {
    return new FaultShape(kind, status, duration, bytesPerSecond, probability, requests, afterGeneration, true,
        httpDate);
  }

  /** This fault, with an HTTP-date Retry-After. */
  public FaultShape withHttpDate() {
    return new FaultShape(kind, status, duration, bytesPerSecond, probability, requests, afterGeneration,
        flatEnvelope, true);
  }
}

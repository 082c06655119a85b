package ai.anycap.testkit.internal;

import ai.anycap.testkit.FaultKind;
import ai.anycap.testkit.Fault;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The fault specs of {@link Fault#parse(String)} and {@code SimulatorMain --fault}: read, and
 * written back by {@link Fault#toString()}, so that a spec round-trips.
 */
public final class FaultSpec {

  private FaultSpec() {}

  /**
   * @throws IllegalArgumentException naming what is wrong with the spec
   */
  public static Fault parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    String[] parts = spec.strip().split(":");
    String name = parts[0].toLowerCase(Locale.ROOT);
    int next = 1;
    Fault f;
    try {
      switch (name) {
        case "server-error":
          f = Fault.serverError(Integer.parseInt(arg(parts, next++, spec, "a status")));
          break;
        case "rate-limited":
          f = Fault.rateLimited(duration(arg(parts, next++, spec, "a delay such as 2s")));
          break;
        case "do-not-retry":
          f = Fault.doNotRetry();
          break;
        case "reset-connection":
        case "reset":
          f = Fault.resetConnection();
          break;
        case "hang":
          f = Fault.hang(duration(arg(parts, next++, spec, "a duration such as 5s")));
          break;
        case "malformed-json":
          f = Fault.malformedJson();
          break;
        case "truncated-download":
          f = Fault.truncatedDownload();
          break;
        case "artifact-status":
          f = Fault.artifactStatus(Integer.parseInt(arg(parts, next++, spec, "403 or 404")));
          break;
        case "presign-status":
          f = Fault.presignStatus(Integer.parseInt(arg(parts, next++, spec, "a status such as 413")));
          break;
        case "upload-status":
          f = Fault.uploadStatus(Integer.parseInt(arg(parts, next++, spec, "a status such as 503")));
          break;
        case "slow-upload":
          f = Fault.slowUpload(duration(arg(parts, next++, spec, "a delay such as 2s")));
          break;
        case "slow-download": {
          String a = arg(parts, next++, spec, "bytes per second, or a duration such as 2s");
          f = a.chars().allMatch(Character::isDigit)
              ? Fault.slowDownload(Long.parseLong(a))
              : Fault.slowDownload(duration(a));
          break;
        }
        default:
          throw new IllegalArgumentException(
              "unknown fault '" + parts[0] + "' in '" + spec + "'; known: "
                  + Arrays.stream(FaultKind.values()).map(FaultKind::specName).toList());
      }
      for (int i = next; i < parts.length; i++) {
        f = modifier(f, parts[i], spec);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad number in fault spec '" + spec + "': " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("fault spec '" + spec + "': " + e.getMessage(), e);
    }
    return f;
  }

  private static Fault modifier(Fault f, String m, String spec) {
    String lower = m.toLowerCase(Locale.ROOT);
    if (lower.equals("after")) {
      return f.afterGeneration();
    }
    if (lower.equals("flat")) {
      return f.flatEnvelope();
    }
    if (lower.equals("http-date")) {
      return f.httpDate();
    }
    if (lower.startsWith("p=")) {
      return f.probability(Double.parseDouble(lower.substring(2)));
    }
    if (lower.startsWith("n=")) {
      return f.onNthRequest(Integer.parseInt(lower.substring(2)));
    }
    if (lower.startsWith("on=")) {
      return f.onRequests(
          Arrays.stream(lower.substring(3).split(",")).mapToInt(Integer::parseInt).toArray());
    }
    throw new IllegalArgumentException(
        "unknown modifier '" + m + "' in fault spec '" + spec
            + "'; known: p=<probability>, n=<request>, on=<r1>,<r2>.., after, flat, http-date");
  }

  private static String arg(String[] parts, int i, String spec, String what) {
    if (i >= parts.length || parts[i].isBlank()) {
      throw new IllegalArgumentException("fault spec '" + spec + "' needs " + what + " after '" + parts[0] + "'");
    }
    return parts[i];
  }

  private static Duration duration(String s) {
    String v = s.strip().toLowerCase(Locale.ROOT);
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    if (v.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
    }
    throw new IllegalArgumentException("duration '" + s + "' needs a unit: ms or s");
  }

  /** The spec of {@code f}, as {@link #parse} reads it. */
  public static String format(Fault f) {
    StringBuilder s = new StringBuilder(f.kind().specName());
    switch (f.kind()) {
      case SERVER_ERROR:
      case ARTIFACT_STATUS:
      case PRESIGN_STATUS:
      case UPLOAD_STATUS:
        s.append(':').append(f.status());
        break;
      case RATE_LIMITED:
      case HANG:
      case SLOW_UPLOAD:
        s.append(':').append(f.duration().toMillis()).append("ms");
        break;
      case SLOW_DOWNLOAD:
        s.append(':').append(f.bytesPerSecond() > 0 ? f.bytesPerSecond() + "" : f.duration().toMillis() + "ms");
        break;
      default:
        break;
    }
    if (!f.requests().isEmpty()) {
      s.append(":on=");
      s.append(String.join(",", f.requests().stream().map(String::valueOf).toList()));
    } else if (f.probability() < 1.0) {
      s.append(":p=").append(f.probability());
    }
    if (f.firesAfterGeneration() && f.kind() != FaultKind.MALFORMED_JSON) {
      s.append(":after");
    }
    if (f.usesFlatEnvelope()) {
      s.append(":flat");
    }
    if (f.usesHttpDate()) {
      s.append(":http-date");
    }
    return s.toString();
  }
}

package ai.anycap.bench;

import ai.anycap.client.ExchangeListener;
import ai.anycap.client.ExchangeRequest;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a rate-limited batch's wall time went, from the moment each generate request was sent:
 * the time before the first, the time after the last, and, while sending, the share of the
 * server's capacity left unused, with the stretches in which nothing was sent at all (the shared
 * pauses). Once sending starts, the batch takes at least {@code (accepted - burst) / R}; anything
 * beyond that is the client's, whichever controller it runs.
 */
final class GenerateTimes implements ExchangeListener {

  /** A stretch without a request longer than this is a pause, not pacing. */
  private static final long IDLE_NANOS = 300_000_000L;

  private long[] sent = new long[8_192];
  private int count;

  @Override
  public Exchange onRequest(ExchangeRequest request) {
    if (!request.endpoint().endsWith("/generate")) {
      return Exchange.IGNORED;
    }
    long at = System.nanoTime();
    synchronized (this) {
      if (count == sent.length) {
        sent = Arrays.copyOf(sent, 2 * count);
      }
      sent[count++] = at;
    }
    return Exchange.IGNORED;
  }

  /**
   * @param start when the batch was started, {@link System#nanoTime()}
   * @param end when it returned
   * @param accepted generate requests the server accepted, by its own count
   * @param rate the server's limit, requests a second
   * @param burst the server's burst
   */
  synchronized String describe(long start, long end, long accepted, double rate, int burst) {
    // Only the batch's own: a pipeline's earlier batch sent through the same listener.
    long[] times = Arrays.stream(sent, 0, this.count).filter(t -> t - start >= 0).sorted().toArray();
    if (times.length == 0) {
      return "no generate sent";
    }
    double sending = (times[times.length - 1] - times[0]) / 1e9;
    double unused = (burst + rate * sending - accepted) / rate;
    int stretches = 0;
    long idle = 0;
    StringBuilder at = new StringBuilder();
    for (int i = 1; i < times.length; i++) {
      long gap = times[i] - times[i - 1];
      if (gap > IDLE_NANOS) {
        stretches++;
        idle += gap;
        double from = (times[i - 1] - times[0]) / 1e9;
        at.append(at.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", from));
      }
    }
    return String.format(Locale.ROOT,
        "%.2f s = %.2f before the first generate + %.2f for %d accepted at R + %.2f of R unused while sending"
            + " (nothing sent for %.2f s in %d stretches over 0.3 s%s) + %.2f after the last",
        (end - start) / 1e9, (times[0] - start) / 1e9, (accepted - burst) / rate, accepted, unused, idle / 1e9,
        stretches, stretches == 0 ? "" : ", from " + at + " s", (end - times[times.length - 1]) / 1e9);
  }
}

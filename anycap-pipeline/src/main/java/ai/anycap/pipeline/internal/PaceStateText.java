package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.internal.PaceState.Phase;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link PaceState} as the text a shared store keeps, readable with {@code redis-cli}: {@code
 * pace/1 rate=48.5 phase=HOLDING round=7 burst=10.0 limit=49.0 last_cut=... hold=30.0
 * last_growth=... unexpected_at=- verify=1.02 burst_refused=6 tie=1.42/75/NaN,NaN,118.3,...}. Times are
 * microseconds of the store's clock ({@code -} for never); the pause is kept beside it, where the store's
 * schedule reads it. The tie is the last believed round's ({@link RateTie.Sampled}): its seconds, its
 * requests, and its rates at the sampled bursts ({@code -} for none).
 */
final class PaceStateText {

  private static final String VERSION = "pace/1";

  private PaceStateText() {}

  static String write(PaceState s, StoreClock clock) {
    return String.format(Locale.ROOT,
        "%s rate=%s phase=%s round=%d burst=%s limit=%s last_cut=%s hold=%s last_growth=%s unexpected_at=%s verify=%s"
            + " burst_refused=%d tie=%s",
        VERSION, s.rate(), s.phase(), s.round(), s.burst(), s.limit(), time(clock.toStore(s.lastCut())),
        s.holdSeconds(), time(clock.toStore(s.lastGrowth())), time(clock.toStore(s.unexpectedAt())),
        s.verifyGrowth(), s.burstRefused(), tie(s.tie()));
  }

  /**
   * The state the text holds, paused until {@code pausedUntil} (this pacer's clock); {@code
   * nothing} when the text is empty, or not one this version wrote (a newer version's: then this
   * pipeline starts afresh, and its first change replaces it).
   */
  static PaceState read(String text, long pausedUntil, StoreClock clock, PaceState nothing) {
    if (!text.startsWith(VERSION + " ")) {
      return withPause(nothing, pausedUntil);
    }
    Map<String, String> f = new HashMap<>();
    for (String pair : text.substring(VERSION.length() + 1).trim().split("\\s+")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        f.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    try {
      return new PaceState(
          Double.parseDouble(f.get("rate")),
          Phase.valueOf(f.get("phase")),
          Long.parseLong(f.get("round")),
          pausedUntil,
          Double.parseDouble(f.get("burst")),
          Double.parseDouble(f.get("limit")),
          clock.toLocal(time(f.get("last_cut"))),
          Double.parseDouble(f.get("hold")),
          clock.toLocal(time(f.get("last_growth"))),
          clock.toLocal(time(f.get("unexpected_at"))),
          Double.parseDouble(f.get("verify")),
          Long.parseLong(f.get("burst_refused")),
          tie(f.getOrDefault("tie", "-")));
    } catch (RuntimeException e) { // a field missing or malformed: not ours to trust
      return withPause(nothing, pausedUntil);
    }
  }

  private static PaceState withPause(PaceState s, long pausedUntil) {
    return new PaceState(s.rate(), s.phase(), s.round(), pausedUntil, s.burst(), s.limit(), s.lastCut(),
        s.holdSeconds(), s.lastGrowth(), s.unexpectedAt(), s.verifyGrowth(), s.burstRefused(), s.tie());
  }

  private static String tie(RateTie tie) {
    if (tie == null) {
      return "-";
    }
    RateTie.Sampled sampled = tie instanceof RateTie.Sampled given ? given : RateTie.Sampled.of(tie);
    StringBuilder text = new StringBuilder().append(sampled.seconds()).append('/').append(sampled.sent()).append('/');
    for (int i = 0; i < sampled.rates().length; i++) {
      text.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6g", sampled.rates()[i]));
    }
    return text.toString();
  }

  /** The tie the text holds; null for none (or one an earlier version wrote without it). */
  private static RateTie tie(String text) {
    if ("-".equals(text)) {
      return null;
    }
    String[] parts = text.split("/", -1);
    String[] rates = parts[2].isEmpty() ? new String[0] : parts[2].split(",");
    double[] sampled = new double[rates.length];
    for (int i = 0; i < rates.length; i++) {
      sampled[i] = Double.parseDouble(rates[i]);
    }
    return new RateTie.Sampled(Double.parseDouble(parts[0]), Integer.parseInt(parts[1]), sampled);
  }

  private static String time(long micros) {
    return micros == Long.MIN_VALUE ? "-" : Long.toString(micros);
  }

  private static long time(String text) {
    return "-".equals(text) ? Long.MIN_VALUE : Long.parseLong(text);
  }
}

package ai.anycap.pipeline.internal;

import java.util.Arrays;

/**
 * What a round that ended in a 429 ties the server's rate to: for each burst the server might
 * have, the rate its bucket must refill at to have let the round's requests through and refused
 * the last ({@link Round#fittedRate}). The last believed round's tie is part of what a pace has
 * learned ({@link PaceState#tie()}): the next believed round crosses it to tell burst from rate
 * ({@link Round#joint}). A pace of one pipeline keeps the round itself; a shared store keeps
 * samples of it ({@link Sampled}), since the round's log is one worker's, and the next 429 may
 * be another's. (When each worker kept the last round it had itself settled, three of four
 * verification 429s found none, and fitted with the opening burst's count: 25 for a burst of 10,
 * and a shared pace held at 39.5 a second for a limit of 50, in the model.)
 */
interface RateTie {

  /** How long the round ran before its refused request. */
  double seconds();

  /** Requests the round sent before the refused one. */
  int sent();

  /** The refill rate of a bucket of {@code burst} tokens that explains the round; NaN for none. */
  double fittedRate(double burst);

  /**
   * A tie kept as its rates at a few bursts: every burst up to {@value #EVERY_BURST_UP_TO}, then
   * bursts {@value #STEP} times apart, up to the round's requests (a bucket of more than that
   * would not have run dry); between them, rates on the straight line between the two.
   */
  record Sampled(double seconds, int sent, double[] rates) implements RateTie {

    static final int EVERY_BURST_UP_TO = 32;
    static final double STEP = 1.125;

    /** Samples {@code tie}. */
    static Sampled of(RateTie tie) {
      int n = 0;
      while (burstAt(n) <= tie.sent()) {
        n++;
      }
      double[] rates = new double[n];
      for (int i = 0; i < n; i++) {
        rates[i] = tie.fittedRate(burstAt(i));
      }
      return new Sampled(tie.seconds(), tie.sent(), rates);
    }

    /** The burst sample {@code i} is the rate at. */
    static double burstAt(int i) {
      return i < EVERY_BURST_UP_TO
          ? i + 1
          : Math.floor(EVERY_BURST_UP_TO * Math.pow(STEP, i - EVERY_BURST_UP_TO + 1));
    }

    @Override
    public double fittedRate(double burst) {
      if (rates.length == 0 || burst < 1 || burst > burstAt(rates.length - 1)) {
        return Double.NaN;
      }
      int i = 0;
      while (burstAt(i + 1) <= burst && i + 1 < rates.length) {
        i++;
      }
      if (burst == burstAt(i) || i + 1 == rates.length) {
        return rates[i];
      }
      double share = (burst - burstAt(i)) / (burstAt(i + 1) - burstAt(i));
      return rates[i] + share * (rates[i + 1] - rates[i]); // NaN at either end: no fit between them
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sampled other && seconds == other.seconds && sent == other.sent
          && Arrays.equals(rates, other.rates);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * Double.hashCode(seconds) + sent) + Arrays.hashCode(rates);
    }

    @Override
    public String toString() {
      return "Sampled[seconds=" + seconds + ", sent=" + sent + ", rates=" + Arrays.toString(rates) + "]";
    }
  }
}

package ai.anycap.testkit.internal;

/**
 * Reproducible randomness without shared state: a value drawn for (seed, stream, n) depends on
 * nothing else, so concurrent requests cannot change which request a fault hits.
 */
public final class Seeds {

  private Seeds() {}

  /** SplitMix64's finaliser over the three inputs. */
  public static long mix(long seed, long stream, long n) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1) + 0xBF58476D1CE4E5B9L * n;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A double in [0, 1) for (seed, stream, n). */
  public static double uniform(long seed, long stream, long n) {
    return (mix(seed, stream, n) >>> 11) * 0x1.0p-53;
  }
}

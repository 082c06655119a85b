package ai.anycap.client.internal;

import java.util.concurrent.ThreadLocalRandom;

/** Fresh {@code X-Trace-Id} values in the form the AnyCap CLI uses: {@code trc_<32 hex>}. */
public final class TraceIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TraceIds() {}

  public static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[36];
    out[0] = 't';
    out[1] = 'r';
    out[2] = 'c';
    out[3] = '_';
    long hi = r.nextLong();
    long lo = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[4 + i] = HEX[(int) ((hi >>> (60 - 4 * i)) & 0xF)];
      out[20 + i] = HEX[(int) ((lo >>> (60 - 4 * i)) & 0xF)];
    }
    return new String(out);
  }
}

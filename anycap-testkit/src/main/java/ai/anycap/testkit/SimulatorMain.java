package ai.anycap.testkit;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link AnyCapSimulator} as a process of its own, so that other processes, and AnyCap
 * tools in any language pointed at it with their endpoint setting ({@code ANYCAP_API_ENDPOINT},
 * the CLI's {@code --endpoint}), can use it. Prints the base URL and serves until killed; {@code
 * GET /_simulator/counters} answers the {@link SimulatorCounters} as JSON.
 *
 * <pre>
 * java -jar anycap-testkit-&lt;version&gt;-standalone.jar \
 *     --port 8787 --latency-ms 500 --rate-limit 50:10 --fault server-error:503:p=0.1 --seed 42
 * </pre>
 *
 * <p>Options: {@code --port N} (default 0, any free port), {@code --api-key KEY} (require this
 * key), {@code --latency-ms N}, {@code --latency-ms MIN-MAX} (uniform) or {@code --latency-ms
 * log-normal:MEDIAN:P99} (see {@link Latency#logNormal}), {@code --rate-limit
 * PER_SECOND[:BURST]} (burst defaults to the rate, rounded up), {@code --credits N}, {@code
 * --fault SPEC} (repeatable; see {@link Fault#parse(String)}), {@code --seed N}, {@code
 * --artifact-ttl-s N}, {@code --help}.
 */
public final class SimulatorMain {

  private static final String LOG_NORMAL = "log-normal:";

  private SimulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    AnyCapSimulator.Builder builder;
    try {
      builder = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("anycap-simulator: " + e.getMessage());
      System.err.println();
      usage(System.err);
      System.exit(2);
      return;
    }
    if (builder == null) {
      usage(System.out);
      return;
    }
    AnyCapSimulator sim = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sim.close();
      stopped.countDown();
    }, "anycap-simulator-shutdown"));
    System.out.println("AnyCap simulator listening on " + sim.baseUri() + " (seed " + sim.seed() + ")");
    System.out.println("  export ANYCAP_API_ENDPOINT=" + sim.baseUri());
    if (!sim.faults().isEmpty()) {
      System.out.println("  faults: " + sim.faults());
    }
    System.out.flush();
    stopped.await();
  }

  /**
   * The builder the arguments describe, or null when they ask for help.
   *
   * @throws IllegalArgumentException naming the bad flag or value
   */
  static AnyCapSimulator.Builder parse(String[] args) {
    AnyCapSimulator.Builder b = AnyCapSimulator.builder();
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String flag = rest.remove(0);
      String value = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      switch (flag) {
        case "-h":
        case "--help":
          return null;
        case "--port":
          b.port(intValue(flag, value(flag, value, rest)));
          break;
        case "--api-key":
          b.apiKey(value(flag, value, rest));
          break;
        case "--latency-ms": {
          String v = value(flag, value, rest);
          int dash = v.indexOf('-');
          if (v.startsWith(LOG_NORMAL)) {
            String[] p = v.substring(LOG_NORMAL.length()).split(":", -1);
            if (p.length != 2) {
              throw new IllegalArgumentException(flag + " log-normal takes 'log-normal:MEDIAN:P99', got '" + v + "'");
            }
            try {
              b.latency(Latency.logNormal(
                  Duration.ofMillis(longValue(flag, p[0])), Duration.ofMillis(longValue(flag, p[1]))));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(flag + " '" + v + "': " + e.getMessage(), e);
            }
          } else if (dash > 0) {
            b.latency(Latency.uniform(
                Duration.ofMillis(longValue(flag, v.substring(0, dash))),
                Duration.ofMillis(longValue(flag, v.substring(dash + 1)))));
          } else {
            b.latency(Duration.ofMillis(longValue(flag, v)));
          }
          break;
        }
        case "--rate-limit": {
          String v = value(flag, value, rest);
          int colon = v.indexOf(':');
          double rate = doubleValue(flag, colon < 0 ? v : v.substring(0, colon));
          int burst = colon < 0 ? (int) Math.max(1, Math.ceil(rate)) : intValue(flag, v.substring(colon + 1));
          b.rateLimit(rate, burst);
          break;
        }
        case "--credits":
          b.credits(longValue(flag, value(flag, value, rest)));
          break;
        case "--fault":
          b.fault(Fault.parse(value(flag, value, rest)));
          break;
        case "--seed":
          b.seed(longValue(flag, value(flag, value, rest)));
          break;
        case "--artifact-ttl-s":
          b.artifactTtl(Duration.ofSeconds(longValue(flag, value(flag, value, rest))));
          break;
        default:
          throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    return b;
  }

  private static String value(String flag, String inline, List<String> rest) {
    if (inline != null) {
      return inline;
    }
    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return rest.remove(0);
  }

  private static int intValue(String flag, String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a whole number, got '" + v + "'");
    }
  }

  private static long longValue(String flag, String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a whole number, got '" + v + "'");
    }
  }

  private static double doubleValue(String flag, String v) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " takes a number, got '" + v + "'");
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: SimulatorMain [options]   (serves http://127.0.0.1:PORT until killed)");
    out.println("  --port N                  port on 127.0.0.1; default 0 (any free port)");
    out.println("  --api-key KEY             require 'Authorization: Bearer KEY' (default: any key)");
    out.println("  --latency-ms N|MIN-MAX|log-normal:MEDIAN:P99");
    out.println("                            generate latency: fixed, uniform or log-normal; default 0");
    out.println("  --rate-limit R[:BURST]    token bucket on generate: R a second, BURST at once");
    out.println("  --credits N               credit balance; default unlimited");
    out.println("  --fault SPEC              repeatable; e.g. server-error:503:p=0.1,");
    out.println("                            rate-limited:2s:http-date:n=3, do-not-retry,");
    out.println("                            reset-connection, hang:5s:after, malformed-json,");
    out.println("                            truncated-download, artifact-status:404:on=1,2,");
    out.println("                            slow-download:2000 (bytes/s) or slow-download:2s");
    out.println("  --seed N                  seed for faults and latencies; default random");
    out.println("  --artifact-ttl-s N        artifact URL lifetime; default 3600");
  }
}

package ai.anycap.testkit;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * <p>Options: {@code --host ADDRESS} (default {@code 127.0.0.1}; {@code 0.0.0.0} for every
 * interface, see {@link AnyCapSimulatorBuilder#bindAddress(InetAddress)}), {@code --public-url
 * URL} (the base of the URLs it hands out, see {@link
 * AnyCapSimulatorBuilder#publicBaseUri(java.net.URI)}), {@code --port N}
 * (default 0, any free port), {@code --api-key KEY} (require this
 * key), {@code --latency-ms N}, {@code --latency-ms MIN-MAX} (uniform) or {@code --latency-ms
 * log-normal:MEDIAN:P99} (see {@link Latency#logNormal}), {@code --model-latency-ms
 * MODEL=LATENCY} (repeatable: one model's own, in the same forms), {@code --rate-limit
 * PER_SECOND[:BURST]} (burst defaults to the rate, rounded up), {@code --credits N}, {@code
 * --fault SPEC} (repeatable; see {@link Fault#parse(String)}), {@code --seed N}, {@code
 * --artifact-ttl-s N}, {@code --schema-form flat|json-schema}, {@code --upscale-credits N},
 * {@code --read-credits N}, {@code --max-upload-mb N}, {@code --help}.
 */
public final class SimulatorMain {

  private static final String LOG_NORMAL = "log-normal:";

  private SimulatorMain() {}

  /**
   * Parses the options, starts the simulator and serves until the process is stopped; prints the
   * usage and exits with status 2 on a bad option, or 1 when the address cannot be bound.
   *
   * @param args the options above
   * @throws InterruptedException when the main thread is interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    AnyCapSimulatorBuilder builder;
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
    AnyCapSimulator sim;
    try {
      sim = builder.start();
    } catch (UncheckedIOException e) {
      System.err.println("anycap-simulator: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sim.close();
      stopped.countDown();
    }, "anycap-simulator-shutdown"));
    System.out.println("AnyCap simulator listening on " + sim.baseUri() + " (seed " + sim.seed() + ")");
    if (sim.bindAddress().isAnyLocalAddress()) {
      System.out.println("  and on every interface, port " + sim.port() + ": anyone who can reach it can use it");
    }
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
  static AnyCapSimulatorBuilder parse(String[] args) {
    AnyCapSimulatorBuilder b = AnyCapSimulator.builder();
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
        case "--host":
          b.bindAddress(address(flag, value(flag, value, rest)));
          break;
        case "--public-url":
          try {
            b.publicBaseUri(java.net.URI.create(value(flag, value, rest).strip()));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " takes a URL such as http://simulator:8787: " + e.getMessage(), e);
          }
          break;
        case "--port":
          b.port(intValue(flag, value(flag, value, rest)));
          break;
        case "--api-key":
          b.apiKey(value(flag, value, rest));
          break;
        case "--latency-ms":
          b.latency(latency(flag, value(flag, value, rest)));
          break;
        case "--model-latency-ms": {
          String v = value(flag, value, rest);
          int at = v.indexOf('=');
          if (at <= 0) {
            throw new IllegalArgumentException(flag + " takes MODEL=LATENCY such as seedream-5=2000, got '" + v + "'");
          }
          String model = v.substring(0, at).strip();
          if (ai.anycap.testkit.internal.ModelCatalog.find(model).isEmpty()) {
            throw new IllegalArgumentException(flag + ": unknown model '" + model + "'; known: "
                + String.join(", ", ai.anycap.testkit.internal.ModelCatalog.ids()));
          }
          b.latency(model, latency(flag, v.substring(at + 1)));
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
        case "--schema-form": {
          String v = value(flag, value, rest).strip().toLowerCase(java.util.Locale.ROOT);
          if (!v.equals("flat") && !v.equals("json-schema")) {
            throw new IllegalArgumentException(flag + " takes flat or json-schema, got '" + v + "'");
          }
          b.schemaForm(v.equals("flat") ? SchemaForm.FLAT : SchemaForm.JSON_SCHEMA);
          break;
        }
        case "--upscale-credits":
          b.upscaleCredits(longValue(flag, value(flag, value, rest)));
          break;
        case "--read-credits":
          b.readCredits(longValue(flag, value(flag, value, rest)));
          break;
        case "--max-upload-mb":
          b.maxUploadBytes(longValue(flag, value(flag, value, rest)) * 1024 * 1024);
          break;
        default:
          throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    return b;
  }

  /** A latency as {@code --latency-ms} takes it: {@code N}, {@code MIN-MAX} or {@code log-normal:MEDIAN:P99}. */
  private static Latency latency(String flag, String v) {
    if (v.startsWith(LOG_NORMAL)) {
      String[] p = v.substring(LOG_NORMAL.length()).split(":", -1);
      if (p.length != 2) {
        throw new IllegalArgumentException(flag + " log-normal takes 'log-normal:MEDIAN:P99', got '" + v + "'");
      }
      try {
        return Latency.logNormal(Duration.ofMillis(longValue(flag, p[0])), Duration.ofMillis(longValue(flag, p[1])));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(flag + " '" + v + "': " + e.getMessage(), e);
      }
    }
    int dash = v.indexOf('-');
    if (dash > 0) {
      return Latency.uniform(
          Duration.ofMillis(longValue(flag, v.substring(0, dash))), Duration.ofMillis(longValue(flag, v.substring(dash + 1))));
    }
    return Latency.fixed(Duration.ofMillis(longValue(flag, v)));
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

  /**
   * An IP address, or {@code localhost}: never a name to look up, so a typo fails here, naming
   * the flag, rather than after a DNS query.
   */
  private static InetAddress address(String flag, String v) {
    String a = v.strip();
    if (a.equalsIgnoreCase("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    boolean ipv4 = a.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    boolean ipv6 = a.matches("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");
    if (ipv4 || ipv6) {
      try {
        return InetAddress.getByName(a);  // a literal: parsed, never looked up
      } catch (UnknownHostException e) {
        // not a valid IPv6 literal after all
      }
    }
    throw new IllegalArgumentException(
        flag + " takes an IP address such as 127.0.0.1, 0.0.0.0 or ::1, got '" + v + "'");
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

  static void usage(PrintStream out) {
    out.println("usage: SimulatorMain [options]   (serves http://127.0.0.1:PORT until killed)");
    out.println("  --host ADDRESS            address to listen on; default 127.0.0.1 (this machine only).");
    out.println("                            0.0.0.0 listens on every interface, for a service in another");
    out.println("                            container: then anyone who can reach the port can generate,");
    out.println("                            download and read the counters. It has no real auth: any key");
    out.println("                            is accepted unless --api-key is set, and that key travels in");
    out.println("                            plain HTTP. Bind off loopback only on a private network.");
    out.println("  --public-url URL          base of the URLs it hands out (artifacts, uploads), for clients");
    out.println("                            that reach it under another name: http://simulator:8787;");
    out.println("                            give --port too. Default: http://HOST:PORT");
    out.println("  --port N                  port to listen on; default 0 (any free port)");
    out.println("  --api-key KEY             require 'Authorization: Bearer KEY' (default: any key)");
    out.println("  --latency-ms N|MIN-MAX|log-normal:MEDIAN:P99");
    out.println("                            generate latency: fixed, uniform or log-normal; default 0");
    out.println("  --model-latency-ms MODEL=LATENCY");
    out.println("                            repeatable: one model's own latency, in the same forms");
    out.println("  --rate-limit R[:BURST]    token bucket on generate: R a second, BURST at once");
    out.println("  --credits N               credit balance; default unlimited");
    out.println("  --fault SPEC              repeatable; e.g. server-error:503:p=0.1,");
    out.println("                            rate-limited:2s:http-date:n=3, do-not-retry,");
    out.println("                            reset-connection, hang:5s:after, malformed-json,");
    out.println("                            truncated-download, artifact-status:404:on=1,2,");
    out.println("                            slow-download:2000 (bytes/s) or slow-download:2s,");
    out.println("                            presign-status:413, upload-status:503:on=1,2,");
    out.println("                            slow-upload:2s");
    out.println("  --seed N                  seed for faults and latencies; default random");
    out.println("  --artifact-ttl-s N        artifact URL lifetime; default 3600");
    out.println("  --schema-form FORM        flat or json-schema (default) model_params");
    out.println("  --upscale-credits N       what an upscale costs; default 2");
    out.println("  --read-credits N          what an image read costs; default 1");
    out.println("  --max-upload-mb N         largest upload a presign accepts; default 20");
  }
}

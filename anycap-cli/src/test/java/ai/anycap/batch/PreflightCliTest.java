package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's checks before the first paid request, beyond refusing bad input (BadInputCorpusTest):
 * what it does when a check cannot be made, and the flags that go on regardless.
 */
class PreflightCliTest {

  static final String ROWS = "name,color,sku\nMug,red,M1\nBottle,steel,B1\nBag,canvas,T1\n";

  @TempDir Path tmp;

  private AnyCapSimulator api;
  private HttpServer proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.stop(0);
    }
    if (api != null) {
      api.close();
    }
  }

  private Map<String, String> env(String endpoint) {
    return Map.of("ANYCAP_API_KEY", "ak_test_preflight", "ANYCAP_API_ENDPOINT", endpoint);
  }

  private String[] run(String... more) throws IOException {
    Path csv = Files.writeString(tmp.resolve("products.csv"), ROWS);
    List<String> args = new java.util.ArrayList<>(List.of(CliRun.sampleRun(tmp.resolve("out"), more)));
    args.set(1, csv.toString());
    return args.toArray(String[]::new);
  }

  @Test
  void whenTheSchemaCannotBeFetched_theRunWarns_andGoesOn() throws Exception {
    api = AnyCapSimulator.builder().seed(5).start();
    String endpoint = proxyFailingSchemas(api.baseUri());

    CliRun run = CliRun.of(env(endpoint), run());

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.err()).contains("warning: could not fetch the schema of nano-banana-2 (generate)")
        .contains("go unchecked");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(3);
  }

  @Test
  void skipSchemaCheck_sendsTheParameterAsGiven_andTheServerRefusesIt() throws Exception {
    api = AnyCapSimulator.builder().seed(5).start();

    CliRun run = CliRun.of(env(api.baseUri().toString()),
        run("--param", "aspect_ratio=bad", "--skip-schema-check", "--max-attempts", "1"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(api.counters().requests(SimulatorCounters.SCHEMA)).isZero();
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(3);
  }

  @Test
  void overTheBalance_aCreditBudgetWithinItRunsWhatItCovers_andSkipBalanceCheckGoesOn() throws Exception {
    api = AnyCapSimulator.builder().seed(5).credits(2).start();

    CliRun capped = CliRun.of(env(api.baseUri().toString()), run("--budget-credits", "2", "--concurrency", "1"));

    assertThat(capped.exitCode()).as(capped.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(capped.out()).contains("1 over budget");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(2);

    api.addCredits(1);
    // A manifest of its own: 3 jobs to pay for, 1 credit left.
    String[] args = run("--journal", tmp.resolve("other.jsonl").toString(), "--concurrency", "1");
    CliRun refused = CliRun.of(env(api.baseUri().toString()), args);
    assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(refused.err()).contains("needs about 3 credits, and the account holds 1");

    CliRun regardless = CliRun.of(env(api.baseUri().toString()), append(args, "--skip-balance-check"));

    assertThat(regardless.exitCode()).as(regardless.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).as("1 more paid, then a 402").isEqualTo(4);
  }

  @Test
  void aLongerPromptLimit_letsALongPromptThrough() throws Exception {
    api = AnyCapSimulator.builder().seed(5).start();
    Files.writeString(tmp.resolve("long.csv"), "name,color,sku\n" + "Mug ".repeat(2_500) + ",red,M1\n");
    String[] args = run("--max-prompt-length", "12000");
    args[1] = tmp.resolve("long.csv").toString();

    CliRun run = CliRun.of(env(api.baseUri().toString()), args);

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(1);
  }

  @Test
  void withoutAKey_estimateAndDryRunCheckWhatTheyCan_andSayWhatWentUnchecked() throws Exception {
    String[] dryRun = run("--dry-run", "--param", "aspect_ratio=bad");
    CliRun run = CliRun.of(dryRun);
    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.err()).contains("note: the parameters were not checked against the models' schemas")
        .contains("ANYCAP_API_KEY (or --simulate)");

    String[] estimate = run("--param", "aspect_ratio=bad");
    estimate[0] = "estimate";
    CliRun priced = CliRun.of(estimate);
    assertThat(priced.exitCode()).as(priced.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(priced.err()).contains("note: the parameters were not checked");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  private static String[] append(String[] args, String more) {
    String[] copy = java.util.Arrays.copyOf(args, args.length + 1);
    copy[args.length] = more;
    return copy;
  }

  /**
   * A proxy to {@code target} whose schema endpoint answers 503, as when the service that keeps
   * schemas is down while generation works.
   */
  private String proxyFailingSchemas(URI target) throws IOException {
    HttpClient http = HttpClient.newHttpClient();
    Set<String> restricted = Set.of("host", "content-length", "connection", "expect", "upgrade");
    proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.createContext("/", ex -> {
      byte[] answer;
      int status;
      Map<String, List<String>> headers;
      if (ex.getRequestURI().getPath().endsWith("/schema")) {
        status = 503;
        answer = "{\"error\":{\"code\":\"UPSTREAM_UNAVAILABLE\",\"message\":\"schemas are down\"}}"
            .getBytes(StandardCharsets.UTF_8);
        headers = Map.of("Content-Type", List.of("application/json"));
      } else {
        HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().toString()))
            .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes()));
        ex.getRequestHeaders().forEach((name, values) -> {
          if (!restricted.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            values.forEach(v -> forward.header(name, v));
          }
        });
        try {
          HttpResponse<byte[]> r = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
          status = r.statusCode();
          answer = r.body();
          headers = r.headers().map();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      headers.forEach((name, values) -> {
        if (!restricted.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.equals(":status")) {
          ex.getResponseHeaders().put(name, values);
        }
      });
      ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(answer);
      }
    });
    proxy.start();
    return "http://127.0.0.1:" + proxy.getAddress().getPort();
  }
}

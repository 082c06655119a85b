package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.SimulatorCounters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

  static final List<String> SKUS = List.of(
      "MUG-001", "MUG-002", "BTL-001", "BTL-002", "BAG-001", "BAG-002", "AUD-001", "AUD-002", "HOM-001", "HOM-002",
      "HOM-003", "SHO-001", "APP-001", "APP-002", "ACC-001", "ACC-002", "KIT-001", "KIT-002", "FIT-001", "STA-001");

  @TempDir Path tmp;

  /** A simulator the test owns, used as "AnyCap" through ANYCAP_API_ENDPOINT: runs without --simulate. */
  AnyCapSimulator api;
  Map<String, String> liveEnv;

  @BeforeEach
  void startApi() {
    api = AnyCapSimulator.builder().seed(7).start();
    liveEnv = Map.of("ANYCAP_API_KEY", "ak_test_cli", "ANYCAP_API_ENDPOINT", api.baseUri().toString());
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  @Test
  void simulatedRun_writesImagesManifestAndGallery_andEveryLineSaysSimulated() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    for (String sku : SKUS) {
      assertThat(GalleryPage.isPng(out.resolve(sku + ".png"))).as(sku).isTrue();
    }
    List<String> manifest = CliRun.resultLines(out.resolve("manifest.jsonl"));
    assertThat(manifest).hasSize(20).allMatch(l -> l.contains("\"status\":\"succeeded\""));
    assertThat(run.lines()).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("[simulated] "));
    assertThat(run.out()).containsPattern("succeeded +20").contains("index.html");
    assertThat(run.err()).contains("progress 20/20 (100%)");
    assertThat(run.generateRequests()).isEqualTo(20);

    GalleryPage page = GalleryPage.read(out);
    Map<String, String> jobs = page.jobs();
    assertThat(jobs.keySet()).containsExactlyElementsOf(SKUS.stream().map(s -> s + ".png").toList());
    assertThat(jobs.values()).containsOnly("succeeded");
    assertThat(page.imageSources()).hasSize(20);
    page.assertLinksResolve();
    assertThat(page.text()).contains("Simulated run").contains("E-commerce photo: Ceramic coffee mug, matte black");
    assertThat(page.figureText("MUG-001.png")).contains("MUG-001").contains("nano-banana-2").contains("generated");
  }

  @Test
  void rowsSharingARequest_areGeneratedOnceAndCopied_theSummarySaysSo_andNoDedupeGeneratesEach() throws Exception {
    Path csv = tmp.resolve("dupes.csv");
    Files.writeString(csv, "name,color,sku\nMug,red,M1\nMug,red,M2\nMug,red,M3\nCup,blue,C1\n");
    String[] args = CliRun.simulatedSampleRun(tmp.resolve("output"));
    args[1] = csv.toString();

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.generateRequests()).isEqualTo(2);
    assertThat(run.out()).contains("2 rows share a request with an earlier row: generated once and copied")
        .containsPattern("copies +2 rows share a request with an earlier row: copied, not generated \\(saved 2 credits\\)");
    assertThat(GalleryPage.read(tmp.resolve("output")).figureText("M2.png")).contains("copied").contains("same request as M1.png");

    CliRun every = CliRun.of(append(replace(args, tmp.resolve("output").toString(), tmp.resolve("every").toString()),
        "--no-dedupe"));

    assertThat(every.exitCode()).as(every.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(every.generateRequests()).isEqualTo(4);
    assertThat(every.out()).contains("each generated (--no-dedupe)").doesNotContain("copies");
  }

  @Test
  void inFlight_neverShowsMoreThanTheConcurrency() {
    CliRun run = CliRun.of(CliRun.sampleRun(tmp.resolve("output"), "--simulate", "--concurrency", "3",
        "--simulate-latency", "20ms", "--simulate-fault", "server-error:503:p=0.3"));

    assertThat(run.exitCode()).as(run.all()).isIn(ExitCodes.ALL_SUCCEEDED, ExitCodes.SOME_FAILED);
    List<Integer> inFlight = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(in flight (\\d+)\\)").matcher(run.err());
    while (m.find()) {
      inFlight.add(Integer.parseInt(m.group(1)));
    }
    assertThat(inFlight).hasSizeGreaterThanOrEqualTo(10).allSatisfy(n -> assertThat(n).isBetween(0, 3));
  }

  @Test
  void rateLimitedApi_theRunSlowsDown_saysSo_andEveryRowSucceeds() throws Exception {
    Path out = tmp.resolve("output");
    // A burst of 2 against 8 at once: a job refused in each round of the opening (the pause that
    // makes a burst, the burst, the search's end) is on its fourth attempt, the default's last;
    // 10 jobs of 600 needed it in 30 runs on a loaded machine (none failed), so a seldom unlucky
    // fourth would fail this test, which is about slowing down: two more attempts.
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out, "--simulate-rate-limit", "10:2", "--concurrency", "8",
        "--max-attempts", "6"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.err()).contains("slowing down: the API is rate limiting, now").contains("pausing 1.0s")
        .doesNotContain("Infinity");
    assertThat(run.err()).containsPattern("pace [0-9.]+/s");
    assertThat(CliRun.resultLines(out.resolve("manifest.jsonl"))).hasSize(20)
        .allMatch(l -> l.contains("\"status\":\"succeeded\""));
  }

  @Test
  void knownRateLimit_theRunStartsAtIt_andNoRequestIsRefused() throws Exception {
    Path out = tmp.resolve("output");
    // The same API as above (10 a second, burst 2), told to the run a little below its limit:
    // where the run above is refused until it finds the pace, this one is never refused.
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out, "--simulate-rate-limit", "10:2", "--concurrency", "8",
        "--rate-limit", "8"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).contains("8 at a time, into " + out + ", at most 8 a second");
    assertThat(run.err()).doesNotContain("slowing down");
    assertThat(run.simulators()).hasSize(1);
    SimulatorCounters counters = run.simulators().get(0).counters();
    assertThat(counters.requests(SimulatorCounters.GENERATE, 429)).isZero();
    assertThat(counters.requests(SimulatorCounters.GENERATE, 200)).isEqualTo(20);
    assertThat(CliRun.resultLines(out.resolve("manifest.jsonl"))).hasSize(20)
        .allMatch(l -> l.contains("\"status\":\"succeeded\"") && l.contains("\"attempts\":1,"));
  }

  @Test
  void knownRateLimit_aLone429_pausesTheRun_butDoesNotLowerThePace() throws Exception {
    Path out = tmp.resolve("output");
    // One 429 the bucket did not make (as a bunch on the network makes): the run waits out its
    // Retry-After, and goes on at the quota given. (It had cut the pace by 10% at once: 71.3 here;
    // in a run of 3,000 images at 50 a second, 44.4 images a second instead of 49.0.)
    Path csv = tmp.resolve("mugs.csv");
    List<String> rows = new ArrayList<>(List.of("name,color,sku,scene"));
    for (int i = 0; i < 300; i++) {
      rows.add("Ceramic coffee mug,shade " + i + ",MUG-" + i + ",on a wooden desk");
    }
    Files.write(csv, rows);
    List<String> args = new ArrayList<>(List.of(CliRun.simulatedSampleRun(out, "--simulate-rate-limit", "100:10",
        "--concurrency", "8", "--rate-limit", "80", "--simulate-fault", "rate-limited:1s:on=100")));
    args.set(1, csv.toString());
    CliRun run = CliRun.of(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.lines().stream().filter(l -> l.contains("slowing down"))).as(run.all())
        .containsExactly("[simulated] slowing down: the API is rate limiting, now 80.0 requests/s, pausing 1.0s");
    SimulatorCounters counters = run.simulators().get(0).counters();
    assertThat(counters.requests(SimulatorCounters.GENERATE, 429)).isEqualTo(1);
  }

  @Test
  void badRateLimit_isRefusedNamingTheFlag_beforeAnythingIsWritten() {
    for (String bad : List.of("0", "-5", "NaN", "Infinity", "fast")) {
      Path out = tmp.resolve("o-" + bad);
      CliRun run = CliRun.of(CliRun.simulatedSampleRun(out, "--rate-limit", bad));
      assertThat(run.exitCode()).as(bad + ": " + run.all()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(run.err()).as(bad).contains("--rate-limit");
      assertThat(out).as(bad).doesNotExist();
    }
  }

  @Test
  void failedJobs_exitOne_andTheGalleryListsThemWithTheirErrors() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out,
        "--simulate-fault", "do-not-retry:on=2,5", "--concurrency", "1")); // MUG-002 and BAG-001

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(run.out()).containsPattern("failed +2").contains("FAILED MUG-002.png").contains("FAILED BAG-001.png");
    // The error code once, then the message (the client's message carries the code too).
    assertThat(run.lines().stream().filter(l -> l.contains("FAILED MUG-002.png"))).hasSize(2).allSatisfy(l ->
        assertThat(l.split("IMAGE_INTERNAL_ERROR", -1)).as(l).hasSize(2));
    assertThat(run.lines()).allSatisfy(l -> assertThat(l).startsWith("[simulated] "));

    GalleryPage page = GalleryPage.read(out);
    Map<String, String> jobs = page.jobs();
    assertThat(jobs).hasSize(20);
    assertThat(jobs).containsEntry("MUG-002.png", "failed").containsEntry("BAG-001.png", "failed")
        .containsEntry("MUG-001.png", "succeeded");
    assertThat(page.failureRows()).containsOnlyKeys("MUG-002.png", "BAG-001.png");
    assertThat(page.failureRows().get("MUG-002.png")).contains("IMAGE_INTERNAL_ERROR");
    assertThat(page.figureText("MUG-002.png")).contains("IMAGE_INTERNAL_ERROR");
    assertThat(page.imageSources()).hasSize(18);
    page.assertLinksResolve();
    assertThat(out.resolve("MUG-002.png")).doesNotExist();
  }

  @Test
  void aRerunSkipsWhatSucceeded_andItsGalleryStillShowsEveryImageOnce() throws Exception {
    Path out = tmp.resolve("output");
    assertThat(CliRun.of(CliRun.simulatedSampleRun(out, "--simulate-fault", "do-not-retry:on=3")).exitCode())
        .isEqualTo(ExitCodes.SOME_FAILED);

    CliRun again = CliRun.of(CliRun.simulatedSampleRun(out));

    assertThat(again.exitCode()).as(again.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(again.generateRequests()).isEqualTo(1); // only the job that failed
    assertThat(again.out()).contains("19 already done");
    GalleryPage page = GalleryPage.read(out);
    Map<String, String> jobs = page.jobs();
    assertThat(jobs).hasSize(20);
    assertThat(jobs.values()).containsOnly("done-earlier", "succeeded");
    assertThat(jobs.values().stream().filter("succeeded"::equals)).hasSize(1);
    assertThat(page.imageSources()).hasSize(20);
    page.assertLinksResolve();
  }

  @Test
  void aRunWithAKey_goesToTheApiInTheEnvironment_andIsNotLabelledSimulated() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(liveEnv, CliRun.sampleRun(out, "--model", "seedream-5"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.simulators()).isEmpty();
    assertThat(api.counters().requests(SimulatorCounters.GENERATE, 200)).isEqualTo(20);
    assertThat(run.all()).doesNotContain("simulated").doesNotContain("ak_test_cli");
    assertThat(run.out()).contains("Estimated cost: 20 credits, ~$0.30");
    assertThat(GalleryPage.read(out).jobs()).hasSize(20);
    assertThat(GalleryPage.read(out).text()).doesNotContain("Simulated run").contains("seedream-5");
  }

  @Test
  void withoutAKeyOrSimulate_itStops_namingBothWaysOn() {
    CliRun run = CliRun.of(CliRun.sampleRun(tmp.resolve("output")));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("ANYCAP_API_KEY").contains("--simulate");
    assertThat(tmp.resolve("output")).doesNotExist();
  }

  @Test
  void aMissingCsv_isBadInput_andNothingIsSpent() {
    CliRun run = CliRun.of(liveEnv, "run", tmp.resolve("nope.csv").toString(),
        "--templates", CliRun.samples().resolve("templates.json").toString(), "--template", "product",
        "--output-key", "{sku}.png", "--out", tmp.resolve("output").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("nope.csv: no such file");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void anUnknownTemplate_isBadInput_listingTheTemplates() {
    CliRun run = CliRun.of(liveEnv, replace(CliRun.sampleRun(tmp.resolve("output")), "product", "produkt"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("has no template 'produkt'").contains("product_hero").contains("lifestyle");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void aMalformedTemplatesFile_isBadInput() throws Exception {
    Path templates = tmp.resolve("templates.json");
    Files.writeString(templates, "{\"product\": \"E-commerce photo: {name, {color}\"}");
    String[] args = CliRun.sampleRun(tmp.resolve("output"));
    args[3] = templates.toString();

    CliRun run = CliRun.of(liveEnv, args);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("templates.json is not a valid templates file");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void aColumnTheTemplateNeedsAndTheCsvLacks_isBadInput_namingIt() throws Exception {
    Path csv = tmp.resolve("products.csv");
    Files.writeString(csv, "name,color,sku\nMug,red,M1\nCup,blue,C1\n");
    String[] args = replace(CliRun.sampleRun(tmp.resolve("output")), "product", "lifestyle");
    args[1] = csv.toString();

    CliRun run = CliRun.of(liveEnv, args);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("template 'lifestyle' needs {scene}").contains("no column 'scene'")
        .contains("--value scene=");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void anOutputKeyColumnTheCsvLacks_isBadInput() {
    CliRun run = CliRun.of(liveEnv, replace(CliRun.sampleRun(tmp.resolve("output")), "{sku}.png", "{code}.png"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("code");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void aMalformedRow_refusesTheWholeBatch_namingTheLine_unlessToldToSkipIt() throws Exception {
    Path csv = tmp.resolve("products.csv");
    Files.writeString(csv, "name,color,sku\nMug,red,M1\nCup,,C1\nBowl,green,B1\n", StandardCharsets.UTF_8);
    String[] args = CliRun.sampleRun(tmp.resolve("output"));
    args[1] = csv.toString();

    CliRun refused = CliRun.of(liveEnv, args);

    assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(refused.err()).contains("products.csv:3").contains("color").contains("nothing was sent");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();

    CliRun skipping = CliRun.of(liveEnv, append(args, "--skip-invalid-rows"));

    assertThat(skipping.exitCode()).as(skipping.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(2);
    Map<String, String> jobs = GalleryPage.read(tmp.resolve("output")).jobs();
    assertThat(jobs).containsEntry("M1.png", "succeeded").containsEntry("B1.png", "succeeded");
    assertThat(jobs.values().stream().filter("skipped"::equals)).hasSize(1);
  }

  @Test
  void anUnknownModel_isBadInput_andNothingIsGenerated() {
    CliRun run = CliRun.of(liveEnv, CliRun.sampleRun(tmp.resolve("output"), "--model", "nano-banana-3"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("unknown model 'nano-banana-3'").contains("nano-banana-2");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void usageErrors_areBadInput() {
    assertThat(CliRun.of("run").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    CliRun noKey = CliRun.of("run", "x.csv", "--template", "product");
    assertThat(noKey.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noKey.err()).contains("--output-key");
    CliRun unknown = CliRun.of(CliRun.simulatedSampleRun(tmp.resolve("o"), "--concurency", "3"));
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(unknown.err()).contains("--concurency");
    assertThat(CliRun.of(CliRun.simulatedSampleRun(tmp.resolve("o"), "--concurrency", "0")).exitCode())
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(CliRun.of(CliRun.simulatedSampleRun(tmp.resolve("o"), "--budget-credits", "5", "--budget-usd", "1"))
        .exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(CliRun.of().exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(CliRun.of("frobnicate").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  @Test
  void simulatorKnobsWithoutSimulate_andBadFaultSpecs_areBadInput() {
    CliRun knob = CliRun.of(liveEnv, CliRun.sampleRun(tmp.resolve("o"), "--simulate-fault", "server-error:503"));
    assertThat(knob.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(knob.err()).contains("add --simulate");

    CliRun badSpec = CliRun.of(CliRun.simulatedSampleRun(tmp.resolve("o"), "--simulate-fault", "meteor-strike"));
    assertThat(badSpec.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(badSpec.err()).contains("meteor-strike").contains("server-error");
    assertThat(badSpec.generateRequests()).isZero();
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void secretsAreNeverFlags_onlyNamesOfEnvironmentVariables() {
    // There is no flag for the API key: it would land in shell history.
    CliRun apiKeyFlag = CliRun.of(CliRun.simulatedSampleRun(tmp.resolve("o"), "--api-key", "ak_live_123"));
    assertThat(apiKeyFlag.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);

    // A secret pasted where the variable's name goes is refused, and not echoed back.
    String url = "https://hooks.slack.com/services/T000/B000/SECRETsecret";
    CliRun pasted = CliRun.of(liveEnv, CliRun.sampleRun(tmp.resolve("o"), "--slack-webhook-env", url));
    assertThat(pasted.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(pasted.err()).contains("NAME of an environment variable").doesNotContain("SECRETsecret");

    CliRun unset = CliRun.of(liveEnv, CliRun.sampleRun(tmp.resolve("o"), "--webhook", "https://example.com/hook",
        "--webhook-secret-env", "HOOK_SECRET"));
    assertThat(unset.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(unset.err()).contains("HOOK_SECRET is not set");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void aBudget_stopsStartingJobs_andTheRestAreShownAsSkipped() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out, "--budget-credits", "5", "--concurrency", "2"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(run.generateRequests()).isEqualTo(5);
    assertThat(run.out()).contains("15 over budget");
    GalleryPage page = GalleryPage.read(out);
    Map<String, String> jobs = page.jobs();
    assertThat(jobs).hasSize(20);
    assertThat(jobs.values().stream().filter("succeeded"::equals)).hasSize(5);
    assertThat(jobs.values().stream().filter("skipped"::equals)).hasSize(15);
    assertThat(page.text()).contains("over budget");
    page.assertLinksResolve();
  }

  @Test
  void aDryRun_checksAndPrices_sendsNothing_writesNothing() {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(liveEnv, CliRun.sampleRun(out, "--dry-run"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).contains("nothing was generated").containsPattern("jobs to run +20")
        .contains("E-commerce photo: Ceramic coffee mug, matte black");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(out).doesNotExist();

    CliRun noKey = CliRun.of(CliRun.sampleRun(out, "--dry-run"));
    assertThat(noKey.exitCode()).as("a dry run needs no key").isEqualTo(ExitCodes.ALL_SUCCEEDED);
  }

  @Test
  void simulatedAndRealResults_areNeverMixedInOneDirectory() {
    Path out = tmp.resolve("output");
    assertThat(CliRun.of(CliRun.simulatedSampleRun(out)).exitCode()).isEqualTo(ExitCodes.ALL_SUCCEEDED);

    CliRun real = CliRun.of(liveEnv, CliRun.sampleRun(out));

    assertThat(real.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(real.err()).contains("simulated images");
    assertThat(api.counters().requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void theGallery_escapesWhatTheCsvSays() throws Exception {
    Path csv = tmp.resolve("products.csv");
    Files.writeString(csv, "name,color,sku\n\"<script>alert(1)</script>\",\"red & \"\"blue\"\"\",X1\n");
    String[] args = CliRun.simulatedSampleRun(tmp.resolve("output"));
    args[1] = csv.toString();

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    GalleryPage page = GalleryPage.read(tmp.resolve("output")); // parses: the markup stayed well-formed
    assertThat(page.count("script")).isEqualTo(1);
    assertThat(page.figureText("X1.png")).contains("<script>alert(1)</script>").contains("red & \"blue\"");
  }

  @Test
  void theManifestRecordsEachJobOnce() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out, "--journal", tmp.resolve("m.jsonl").toString()));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    ObjectMapper json = new ObjectMapper();
    List<String> ids = new ArrayList<>();
    try (Stream<String> lines = CliRun.resultLines(tmp.resolve("m.jsonl")).stream()) {
      for (String l : lines.toList()) {
        JsonNode n = json.readTree(l);
        ids.add(n.get("id").asText());
      }
    }
    assertThat(ids).doesNotHaveDuplicates().hasSize(20);
    assertThat(out.resolve("manifest.jsonl")).doesNotExist();
    assertThat(GalleryPage.read(out).text()).contains("m.jsonl");
  }

  @Test
  void theSeedsProductHeroTemplate_withAValueMapped_andImagesInASubdirectory() throws Exception {
    Path out = tmp.resolve("output");
    String[] args = replace(replace(CliRun.simulatedSampleRun(out, "--value", "product_name={name}", "--model", "seedream-5"),
        "product", "product_hero"), "{sku}.png", "hero/{color}/{sku}.png");

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(out.resolve("hero/matte black/MUG-001.png")).isRegularFile();
    GalleryPage page = GalleryPage.read(out);
    assertThat(page.jobs()).hasSize(20);
    assertThat(page.imageSources()).contains("hero/matte%20black/MUG-001.png");
    page.assertLinksResolve();
    assertThat(page.figureText("hero/matte black/MUG-001.png"))
        .contains("E-commerce product photo: Ceramic coffee mug, matte black, studio lighting").contains("seedream-5");
  }

  @Test
  void aCsvWithAHeaderAndNoRows_isBadInput() throws Exception {
    Path csv = tmp.resolve("empty.csv");
    Files.writeString(csv, "name,color,sku\n");
    String[] args = CliRun.simulatedSampleRun(tmp.resolve("output"));
    args[1] = csv.toString();

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("no rows");
    assertThat(run.generateRequests()).isZero();
  }

  private static String[] replace(String[] args, String from, String to) {
    String[] copy = args.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i].equals(from)) {
        copy[i] = to;
      }
    }
    return copy;
  }

  private static String[] append(String[] args, String... more) {
    String[] copy = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, copy, args.length, more.length);
    return copy;
  }
}

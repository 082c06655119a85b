package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstimateCommandTest {

  @TempDir Path tmp;

  @Test
  void pricesTheSampleBatch_withoutAKey_andWritesNothing() {
    CliRun run = CliRun.of(estimate(tmp.resolve("output")));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).containsPattern("jobs to run +20").containsPattern("nano-banana-2 +20 images")
        .contains("20 credits, ~$0.10").contains("nothing was sent");
    assertThat(tmp.resolve("output")).doesNotExist();
  }

  @Test
  void usesTheModelsPrice_andSaysWhatABudgetCovers() {
    CliRun run = CliRun.of(estimate(tmp.resolve("output"), "--model", "seedream-5", "--budget-usd", "0.15"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).contains("seedream-5").contains("~$0.30").contains("$0.15: covers about 10 of 20 jobs");
  }

  @Test
  void countsWhatTheManifestSaysIsDone() {
    Path out = tmp.resolve("output");
    assertThat(CliRun.of(CliRun.simulatedSampleRun(out, "--budget-credits", "6")).exitCode())
        .isEqualTo(ExitCodes.SOME_FAILED);

    CliRun run = CliRun.of(estimate(out, "--simulate"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).containsPattern("jobs to run +14").containsPattern("already done +6");
    assertThat(run.lines()).allSatisfy(l -> assertThat(l).startsWith("[simulated] "));
  }

  @Test
  void acceptsRunsCommandLineAsItIs() {
    CliRun run = CliRun.of(estimate(tmp.resolve("output"), "--simulate", "--simulate-latency", "0",
        "--concurrency", "4", "--max-attempts", "2", "--param", "aspect_ratio=16:9"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    // The simulator is asked for its schemas, as run would; it generates nothing.
    assertThat(run.generateRequests()).isZero();
  }

  @Test
  void aModelWithNoKnownPrice_isExitTwo_sayingSo_andNeverZeroDollars() {
    CliRun run = CliRun.of(estimate(tmp.resolve("output"), "--model", "seedrem-5"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("no known price for seedrem-5").contains("--price seedrem-5=USD")
        .contains("nano-banana-2 $0.005").contains("20 credits");
    assertThat(run.all()).doesNotContain("$0.00 ").doesNotContain("~$0.00");
  }

  @Test
  void aPriceFromTheFlag_pricesAModelTheTableDoesNot_andTheModelIdStaysUsable() {
    CliRun run = CliRun.of(estimate(tmp.resolve("output"), "--model", "nano-banana-pro", "--price", "nano-banana-pro=0.02"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).containsPattern("nano-banana-pro +20 images").contains("20 credits, ~$0.40");

    CliRun bad = CliRun.of(estimate(tmp.resolve("output"), "--model", "nano-banana-pro", "--price", "nano-banana-pro=cheap"));
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(bad.err()).contains("--price nano-banana-pro=cheap");
  }

  @Test
  void moneyShowsCents_andRoundsUp() {
    CliRun tenCents = CliRun.of(estimate(tmp.resolve("output")));
    assertThat(tenCents.out()).contains("~$0.10").doesNotContain("$0.1 ").doesNotContain("$0.1\n");

    CliRun tiny = CliRun.of(estimate(tmp.resolve("output"), "--model", "x-1", "--price", "x-1=0.000012"));
    assertThat(tiny.exitCode()).as(tiny.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(tiny.out()).as("20 x $0.000012 = $0.00024, rounded up").contains("~$0.0003");

    CliRun budget = CliRun.of(estimate(tmp.resolve("output"), "--budget-usd", "1"));
    assertThat(budget.out()).contains("$1.00: covers every job");
  }

  @Test
  void rowsSharingARequest_areCountedWithWhatTheySave_andNoDedupePaysForEach() throws Exception {
    Path csv = tmp.resolve("dupes.csv");
    java.nio.file.Files.writeString(csv, "name,color,sku\nMug,red,M1\nMug,red,M2\nMug,red,M3\nCup,blue,C1\n");
    String[] args = estimate(tmp.resolve("output"));
    args[1] = csv.toString();

    CliRun run = CliRun.of(args);

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).containsPattern("jobs to run +4")
        .containsPattern("duplicates +2 rows share a request with an earlier row: generated once and copied, which"
            + " saves 2 credits, ~\\$0.01")
        .contains("2 credits, ~$0.01");

    String[] noDedupe = java.util.Arrays.copyOf(args, args.length + 1);
    noDedupe[args.length] = "--no-dedupe";
    CliRun every = CliRun.of(noDedupe);

    assertThat(every.out()).contains("2 rows share a request with an earlier row; --no-dedupe: each is generated")
        .contains("4 credits, ~$0.02");
  }

  @Test
  void badInput_isExitTwo() {
    String[] args = estimate(tmp.resolve("output"));
    args[5] = "nope"; // --template nope
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("no template 'nope'");
  }

  private static String[] estimate(Path out, String... more) {
    List<String> args = new ArrayList<>(List.of(CliRun.sampleRun(out, more)));
    args.set(0, "estimate");
    return args.toArray(String[]::new);
  }
}

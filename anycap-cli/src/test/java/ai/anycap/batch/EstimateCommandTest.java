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

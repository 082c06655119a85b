package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI says of requests that got no answer and may have been billed, and the flags about them. */
class UncertainBillingCliTest {

  @TempDir Path tmp;

  @Test
  void aRequestGivenUpAfterTheServerGenerated_isResubmitted_andTheSummaryAndGallerySayItMayHaveBeenBilled() throws Exception {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out,
        "--simulate-fault", "hang:5s:n=1:after", "--generate-timeout", "2s", "--concurrency", "1"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.ALL_SUCCEEDED);
    assertThat(run.out()).contains("possibly billed").contains("1 attempt(s) got no answer and may have been billed");
    assertThat(run.simulators().get(0).counters().imagesGenerated()).isEqualTo(21);
    assertThat(GalleryPage.read(out).text()).contains("possibly billed").contains("1 attempt(s), up to 1 credits");
  }

  @Test
  void failWhenBillingUncertain_failsThatJob_andSendsItNoMore() {
    Path out = tmp.resolve("output");
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(out,
        "--simulate-fault", "hang:5s:n=1:after", "--generate-timeout", "2s", "--concurrency", "1",
        "--fail-when-billing-uncertain"));

    assertThat(run.exitCode()).as(run.all()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(run.out()).contains("[BILLING_UNCERTAIN]").contains("possibly billed");
    assertThat(run.simulators().get(0).counters().imagesGenerated()).isEqualTo(20);
  }

  @Test
  void aGenerateTimeoutThatIsNotATime_isBadInput_namingTheFlag() {
    CliRun run = CliRun.of(CliRun.simulatedSampleRun(tmp.resolve("output"), "--generate-timeout", "soon"));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("--generate-timeout soon");
    assertThat(run.generateRequests()).isZero();
  }
}

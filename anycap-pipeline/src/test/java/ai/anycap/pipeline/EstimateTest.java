package ai.anycap.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.anycap.testkit.AnyCapSimulatorExtension;
import ai.anycap.testkit.SimulatorCounters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code estimate} and de-duplication: what it says matches what the run pays. */
class EstimateTest {

  @RegisterExtension final AnyCapSimulatorExtension anycap = AnyCapSimulatorExtension.configure(b -> b.seed(3));

  @TempDir Path dir;

  /** Ten jobs: four of one request, three of another, and three distinct ones. */
  private static List<ImageJob> jobsWithRepeats() {
    List<ImageJob> jobs = new ArrayList<>();
    String[] prompts = {"a cat", "a cat", "a dog", "a cat", "a fox", "a dog", "an owl", "a cat", "a dog", "a hen"};
    for (int i = 0; i < prompts.length; i++) {
      jobs.add(ImageJob.builder().id("j" + i).prompt(prompts[i]).outputKey("j" + i + ".png").build());
    }
    return jobs;
  }

  private ImagePipelineBuilder pipeline() {
    return ImagePipeline.builder().client(anycap.simulator().client()).outputRoot(dir.resolve("out"));
  }

  @Test
  void withDeduplication_eachDistinctRequestIsPaidOnce_asTheRunPaysIt() {
    BatchEstimate estimate;
    BatchReport report;
    try (ImagePipeline p = pipeline().build()) {
      estimate = p.estimate(JobSource.of(jobsWithRepeats()));
      assertThat(anycap.simulator().counters().requests(SimulatorCounters.GENERATE)).as("estimate sends nothing").isZero();
      report = p.run(JobSource.of(jobsWithRepeats()));
    }

    assertThat(estimate.jobs()).isEqualTo(10);
    assertThat(estimate.duplicates()).isEqualTo(5);
    assertThat(estimate.jobsByModel()).containsEntry("nano-banana-2", 10L);
    assertThat(estimate.credits()).isEqualByComparingTo("5");
    assertThat(estimate.usd()).isEqualByComparingTo("0.025");
    assertThat(estimate.toString()).contains("5 duplicate requests");
    assertThat(report.succeeded()).isEqualTo(10);
    assertThat(report.credits()).isEqualByComparingTo(estimate.credits());
    assertThat(report.estimatedCostUsd()).isEqualByComparingTo(estimate.usd());
  }

  @Test
  void withoutDeduplication_everyJobIsPaid_andDuplicatesAreStillCounted() {
    BatchEstimate estimate;
    try (ImagePipeline p = pipeline().deduplicate(false).build()) {
      estimate = p.estimate(JobSource.of(jobsWithRepeats()));
    }

    assertThat(estimate.jobs()).isEqualTo(10);
    assertThat(estimate.duplicates()).isEqualTo(5);
    assertThat(estimate.credits()).isEqualByComparingTo("10");
    assertThat(estimate.usd()).isEqualByComparingTo("0.050");
  }

  @Test
  void aBatchWithoutRepeats_hasNoDuplicates_andReadsAsBefore() {
    BatchEstimate estimate;
    try (ImagePipeline p = pipeline().templates(PipelineFixtures.TEMPLATES).build()) {
      estimate = p.estimate(JobSource.of(PipelineFixtures.jobs(4)));
    }

    assertThat(estimate.duplicates()).isZero();
    assertThat(estimate.credits()).isEqualByComparingTo("4");
    assertThat(estimate.toString()).startsWith("4 jobs (0 already done, 0 invalid): 4 credits");
  }
}

package ai.anycap.pipeline;

import static ai.anycap.pipeline.PipelineFixtures.TEMPLATES;
import static ai.anycap.pipeline.PipelineFixtures.files;
import static ai.anycap.pipeline.PipelineFixtures.jobs;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.anycap.client.AnyCapClient;
import ai.anycap.testkit.AnyCapSimulator;
import ai.anycap.testkit.AnyCapSimulatorExtension;
import ai.anycap.testkit.SchemaForm;
import ai.anycap.testkit.SimulatorCounters;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a batch checks before its first paid request: parameters against the model's schema, the
 * model itself, prompt lengths, links on the way to output paths, the output root, the budget and
 * the credit balance; all problems together, nothing sent, nothing written.
 */
class PreflightTest {

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

  @RegisterExtension final AnyCapSimulatorExtension anycap = AnyCapSimulatorExtension.configure(b -> b.seed(11));
  /** An account with 5 credits left, which reports its balance. */
  @RegisterExtension final AnyCapSimulatorExtension poor = AnyCapSimulatorExtension.configure(b -> b.seed(12).credits(5));

  @TempDir Path dir;

  private ImagePipelineBuilder pipeline() {
    return pipeline(anycap.client());
  }

  private ImagePipelineBuilder pipeline(AnyCapClient client) {
    return ImagePipeline.builder()
        .client(client)
        .templates(TEMPLATES)
        .outputRoot(dir.resolve("out"))
        .retry(Retry.exponential(2, Duration.ofMillis(5), Duration.ofMillis(20)));
  }

  private long requests(String endpoint) {
    return anycap.simulator().counters().requests(endpoint);
  }

  private static BatchValidationException refusal(ImagePipeline p, List<ImageJob> jobs) {
    BatchValidationException e = catchThrowableOfType(BatchValidationException.class, () -> p.run(JobSource.of(jobs)));
    assertThat(e).as("the batch is refused").isNotNull();
    return e;
  }

  @Test
  void aValueTheSchemaDoesNotAllow_andAnUnknownParameter_refuseTheBatch_fetchingTheSchemaOnce() {
    List<ImageJob> batch = new ArrayList<>(jobs(10));
    batch.add(ImageJob.builder().id("odd").prompt("a mug").param("colour_scheme", "warm").outputKey("odd.png").build());
    try (ImagePipeline p = pipeline().defaultParam("aspect_ratio", "bad").build()) {
      BatchValidationException e = refusal(p, batch);

      assertThat(e.problemCount()).isEqualTo(11);
      assertThat(e.problems().get(0).position()).isEqualTo(new JobPosition("jobs", 1));
      assertThat(e.problems().get(0).field()).hasValue("aspect_ratio");
      assertThat(e.problems().get(0).problem()).contains("'aspect_ratio' is 'bad'; allowed: [1:1, 16:9");
      assertThat(e.problems().get(10).position()).isEqualTo(new JobPosition("jobs", 11));
      assertThat(e.problems().get(10).problem()).as("every violation of the entry")
          .contains("'aspect_ratio' is 'bad'").contains("unknown parameter 'colour_scheme'");
      assertThat(e.getMessage()).contains("jobs:1: field 'aspect_ratio'").contains("nothing was sent");
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(requests(SimulatorCounters.SCHEMA)).as("one schema for 11 jobs of one model and mode").isEqualTo(1);
  }

  @Test
  void theJsonSchemaForm_isCheckedAlike_andAGoodBatchRuns() {
    try (AnyCapSimulator jsonSchema = AnyCapSimulator.builder().schemaForm(SchemaForm.JSON_SCHEMA).start();
        ImagePipeline p = pipeline(jsonSchema.client()).build()) {
      BatchValidationException e = refusal(p,
          List.of(ImageJob.builder().prompt("a mug").param("aspect_ratio", "2:1").outputKey("a.png").build()));
      assertThat(e.problems()).singleElement().satisfies(i -> assertThat(i.field()).hasValue("aspect_ratio"));

      BatchReport report = p.run(JobSource.of(jobs(3)));
      assertThat(report.succeeded()).isEqualTo(3);
      assertThat(jsonSchema.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(3);
    }
  }

  @Test
  void aModelTheApiDoesNotList_isRefusedByName() {
    try (ImagePipeline p = pipeline().build()) {
      BatchValidationException e = refusal(p,
          List.of(ImageJob.builder().prompt("a mug").model("nano-banana-3").outputKey("a.png").build()));
      assertThat(e.problems()).singleElement().satisfies(i -> {
        assertThat(i.field()).hasValue("model");
        assertThat(i.problem()).isEqualTo(
            "unknown model 'nano-banana-3'; the API offers: nano-banana-2, nano-banana-pro, seedream-5");
      });
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void whenTheSchemaOrStatusCannotBeFetched_theBatchGoesOn_andSaysWhatWentUnchecked() {
    // 5 credits: the balance check would refuse 6 jobs, could it see the balance.
    AnyCapSimulator sim = poor.simulator();
    wm.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(sim.baseUri().toString())));
    wm.stubFor(get(urlPathMatching("/v1/image/models/[^/]+/schema")).atPriority(1).willReturn(aResponse()
        .withStatus(503).withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"code\":\"UPSTREAM_UNAVAILABLE\",\"message\":\"schema store down\"}}")));
    wm.stubFor(get(urlPathEqualTo("/v1/status")).atPriority(1).willReturn(aResponse().withStatus(500)));
    AnyCapClient proxied = sim.clientBuilder().endpoint(URI.create(wm.baseUrl())).build();
    List<String> warnings = new CopyOnWriteArrayList<>();
    PipelineListener listener = new PipelineListener() {
      @Override
      public void onWarning(String message) {
        warnings.add(message);
      }
    };
    try (ImagePipeline p = pipeline(proxied).listener(listener).build()) {
      BatchCheck check = p.check(JobSource.of(jobs(6)));
      assertThat(check.entries()).isEqualTo(6);
      assertThat(check.warnings()).singleElement().asString()
          .contains("could not fetch the schema of nano-banana-2 (generate)").contains("go unchecked");

      BatchReport report = p.run(JobSource.of(jobs(6)));
      assertThat(report.succeeded()).isEqualTo(5);
      assertThat(report.haltReason()).hasValueSatisfying(h -> assertThat(h).contains("402"));
    }
    assertThat(warnings).singleElement().asString().contains("schema of nano-banana-2");
    assertThat(sim.counters().requests(SimulatorCounters.GENERATE)).isEqualTo(6);
  }

  @Test
  void withTheSchemaCheckOff_noSchemaIsFetched_andTheServerJudges() {
    try (ImagePipeline p = pipeline().schemaCheck(false).defaultParam("aspect_ratio", "bad").build()) {
      BatchReport report = p.run(JobSource.of(jobs(2)));
      assertThat(report.failed()).isEqualTo(2);
      assertThat(report.failures().get(0).message()).contains("aspect_ratio");
    }
    assertThat(requests(SimulatorCounters.SCHEMA)).isZero();
    assertThat(requests(SimulatorCounters.GENERATE)).isEqualTo(2);
  }

  @Test
  void aPromptOverTheLimit_isRefusedAtItsEntry_inABatch_inSubmit_andTheLimitCanBeRaised() {
    ImageJob longOne = ImageJob.builder().id("long").prompt("a mug, ".repeat(1_200)).outputKey("long.png").build();
    try (ImagePipeline p = pipeline().build()) {
      BatchValidationException e = refusal(p, List.of(jobs(1).get(0), longOne));
      assertThat(e.problems()).singleElement().satisfies(i -> {
        assertThat(i.position()).isEqualTo(new JobPosition("jobs", 2));
        assertThat(i.field()).hasValue("prompt");
        assertThat(i.problem()).contains("8,400 characters long, over the limit of 8,000 (maxPromptLength)");
      });
      assertThatThrownBy(() -> p.submit(longOne).join())
          .isInstanceOf(CompletionException.class).hasCauseInstanceOf(InvalidJobException.class)
          .hasMessageContaining("over the limit of 8,000");
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
    try (ImagePipeline p = pipeline().maxPromptLength(10_000).build()) {
      assertThat(p.run(JobSource.of(List.of(longOne))).succeeded()).isEqualTo(1);
    }
  }

  @Test
  void outputPathsThroughLinksThatLeaveTheRoot_areRefusedBeforeTheFirstRequest() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Path victim = Files.writeString(outside.resolve("victim.png"), "not to be overwritten");
    Files.createSymbolicLink(out.resolve("linked.png"), victim);
    Files.createSymbolicLink(out.resolve("shared"), outside);
    Files.createDirectories(out.resolve("real"));
    Files.createSymbolicLink(out.resolve("alias"), out.resolve("real")); // stays inside: fine
    List<ImageJob> batch = new ArrayList<>(jobs(3));
    batch.add(ImageJob.builder().id("file-link").prompt("a").outputKey("linked.png").build());
    batch.add(ImageJob.builder().id("dir-link").prompt("b").outputKey("shared/deeper/b.png").build());
    batch.add(ImageJob.builder().id("inside").prompt("c").outputKey("alias/c.png").build());
    try (ImagePipeline p = pipeline().build()) {
      BatchValidationException e = refusal(p, batch);
      assertThat(e.problems()).extracting(i -> i.position().toString() + " " + i.field().orElse("") + " " + i.problem())
          .containsExactly(
              "jobs:4 output key output path linked.png is a symbolic link",
              "jobs:5 output key output path shared/deeper/b.png goes through a link that leaves the output root");
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(Files.readString(victim)).isEqualTo("not to be overwritten");
    assertThat(files(outside)).containsExactly("victim.png");
  }

  @Test
  void anOutputRootThatCannotBeWritten_isRefused_withEveryOtherProblem_evenWhenSkippingBadRows() throws Exception {
    Path file = Files.writeString(dir.resolve("out"), "a file where the output root should be");
    List<ImageJob> batch = new ArrayList<>(jobs(2));
    batch.add(ImageJob.builder().id("long").prompt("x".repeat(8_001)).outputKey("long.png").build());
    try (ImagePipeline p = pipeline().defaultParam("resolution", "8k").skipInvalidRows().build()) {
      BatchValidationException e = refusal(p, batch);
      assertThat(e.problemCount()).isEqualTo(4);
      assertThat(e.problems().get(0).getMessage())
          .isEqualTo("outputRoot: " + file + " is a file; the output root must be a directory");
      assertThat(e.problems()).extracting(i -> i.field().orElse(""))
          .containsExactly("", "resolution", "resolution", "prompt");
    }
    try (ImagePipeline p = pipeline().outputRoot(file.resolve("images")).build()) {
      BatchValidationException e = refusal(p, jobs(1));
      assertThat(e.problems().get(0).getMessage())
          .isEqualTo("outputRoot: " + file.resolve("images") + " cannot be created: " + file + " is a file");
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(Files.readString(file)).startsWith("a file");
  }

  @Test
  void budgets_zeroAndNegativeFailAtOnce_andOneNoJobFitsInRefusesTheBatch() {
    assertThatThrownBy(() -> pipeline().budget(Budget.credits(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("budget(Budget): no job fits in a budget of 0 credits");
    assertThatThrownBy(() -> Budget.credits(-1))
        .hasMessageStartingWith("Budget.credits(credits) must not be negative, got -1");
    assertThatThrownBy(() -> Budget.dollars("-0.50"))
        .hasMessageStartingWith("Budget.dollars(usd) must not be negative, got -0.50");
    try (ImagePipeline p = pipeline().budget(Budget.dollars("0.001")).build()) {
      BatchValidationException e = refusal(p, jobs(3));
      assertThat(e.problems()).singleElement().asString()
          .contains("budget: no job fits in a budget of 0.001 dollars: the cheapest job is expected to cost 0.005");
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
  }

  @Test
  void aBatchOverTheCreditBalance_isRefused_unlessACreditBudgetWithinItCapsIt() {
    try (ImagePipeline p = pipeline(poor.client()).build()) {
      BatchValidationException e = refusal(p, jobs(20));
      assertThat(e.problems()).singleElement().satisfies(i -> {
        assertThat(i.position()).isEqualTo(new JobPosition("balanceCheck", 0));
        assertThat(i.problem()).startsWith("the batch needs about 20 credits, and the account holds 5");
      });
    }
    assertThat(poor.simulator().counters().requests(SimulatorCounters.GENERATE)).isZero();

    try (ImagePipeline p = pipeline(poor.client()).budget(Budget.credits(5)).concurrency(1).build()) {
      BatchReport report = p.run(JobSource.of(jobs(20)));
      assertThat(report.succeeded()).isEqualTo(5);
      assertThat(report.skipped(SkipReason.BUDGET)).isEqualTo(15);
    }
  }

  @Test
  void theBalanceIsHeldAgainstWhatARerunStillNeeds() {
    Path journal = dir.resolve("out/manifest.jsonl");
    try (ImagePipeline p = pipeline(poor.client()).journal(journal).build()) {
      assertThat(p.run(JobSource.of(jobs(3))).succeeded()).isEqualTo(3);
    }
    // 20 entries, 3 done: 17 to pay for, 2 credits left.
    try (ImagePipeline p = pipeline(poor.client()).journal(journal).build()) {
      assertThat(refusal(p, jobs(20)).getMessage()).contains("needs about 17 credits, and the account holds 2");
    }
    try (ImagePipeline p = pipeline(poor.client()).journal(journal).build()) {
      BatchReport report = p.run(JobSource.of(jobs(5)));
      assertThat(report.succeeded()).isEqualTo(2);
      assertThat(report.skipped(SkipReason.ALREADY_DONE)).isEqualTo(3);
    }
    assertThat(poor.simulator().counters().requests(SimulatorCounters.GENERATE)).isEqualTo(5);
  }

  @Test
  void check_sendsNothingPaid_writesNothing_andCountsWhatWouldBeSkipped() {
    List<ImageJob> batch = new ArrayList<>(jobs(4));
    batch.add(ImageJob.builder().id("bad").prompt("x").param("aspect_ratio", "2:1").outputKey("bad.png").build());
    try (ImagePipeline p = pipeline().skipInvalidRows().build()) {
      BatchCheck check = p.check(JobSource.of(batch));
      assertThat(check).isEqualTo(new BatchCheck(5, 1, List.of()));
    }
    try (ImagePipeline p = pipeline().build()) {
      assertThatThrownBy(() -> p.check(JobSource.of(batch))).isInstanceOf(BatchValidationException.class)
          .hasMessageContaining("jobs:5: field 'aspect_ratio'");
    }
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
    assertThat(dir.resolve("out")).doesNotExist();
  }

  /** 100,000 CSV rows are checked, schema and all, in a JVM with a 64 MiB heap. */
  @Test
  void aHundredThousandRows_areCheckedInA64MiBHeap() throws Exception {
    Path csv = dir.resolve("big.csv");
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write("name,color,sku\n");
      for (int i = 0; i < 100_000; i++) {
        w.write("Ceramic mug number " + i + ",matte black with a blue glaze," + "SKU-" + i + "\n");
      }
    }
    String[] command = Stream.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Xmx64m",
        ChildBatch.class.getName(), "check", dir.resolve("out").toString(), csv.toString()).toArray(String[]::new);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put(AnyCapClient.ENDPOINT_ENV, anycap.simulator().baseUri().toString());
    pb.environment().put(AnyCapClient.API_KEY_ENV, "ak_test_preflight");
    Process child = pb.start();
    List<String> output = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      lines.lines().forEach(output::add);
    }
    assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(child.exitValue()).as(String.join("\n", output)).isZero();
    assertThat(output).contains(ChildBatch.CHECKED + 100_000);
    assertThat(requests(SimulatorCounters.SCHEMA)).isEqualTo(1);
    assertThat(requests(SimulatorCounters.GENERATE)).isZero();
  }
}
